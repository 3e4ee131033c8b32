//! Configuration: the config file, host sources and themes.
