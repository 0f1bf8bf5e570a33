"""Pure renderers: an Evaluation in, text out. No backend access, no clock."""
