"""What starts runs by itself: the sensors on Kingfisher Process and on Pelican frontend's messages, and
the schedules. Each is a Dagster definition gathered by :mod:`pelican_dagster.definitions`."""
