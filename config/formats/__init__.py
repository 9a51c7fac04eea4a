"""Date and time formats of our languages where Django's differ from what our readers write
(FORMAT_MODULE_PATH); anything not set here is Django's."""
