"""The engine: Values and the op table, the chain rule, recording modes, gradient checks and the compiler (imports no view)."""
