"""Teaching demos, each runnable as `python -m demos.NAME`; `python -m demos` lists them."""
