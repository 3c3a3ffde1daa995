"""Documents generated from the pipelines' outputs (``make docs``)."""
