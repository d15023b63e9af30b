"""The catalogue core: data classes, seed loading and checking, the guide for answers. No Qt, no SQL."""
