"""Writers: one module per output format. A writer takes a view (`render/views/`) and
never the model; it decides only how the view looks in its format."""
