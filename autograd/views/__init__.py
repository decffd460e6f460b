"""The views: drawings, text trees, explain(), the step-through page and notebook displays (they read the engine, never the reverse)."""
