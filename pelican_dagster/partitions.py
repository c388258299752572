"""The ``datasets`` dynamic partitions: one partition per dataset, keyed by ``dataset.name``.

A key only names the dataset; its Kingfisher Process collection, ancestor and options (``max_items``,
``max_size``) live in the results database's ``dataset`` row, registered by the sensor or the CLI.
"""

import dagster as dg

datasets = dg.DynamicPartitionsDefinition(name="datasets")
