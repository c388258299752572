"""Pelican frontend compatibility: the relations its failures downloads query (``views``), its filter
semantics (``filters``), and the RabbitMQ messages it publishes (``messages``, ``broker``, ``sensor``)."""
