"""One parser per fusion caller, each turning the caller's own file into the declared calls table."""
