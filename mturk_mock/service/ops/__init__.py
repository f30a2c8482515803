"""The handlers of the MTurk operations, one module per area; ``service/registry.py`` lists them."""
