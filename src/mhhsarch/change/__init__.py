"""Change control: revisions of the model, the classified diff, selectors and impact."""
