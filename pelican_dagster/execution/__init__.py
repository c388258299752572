"""How the ``pelican`` job's step processes start (the multiprocess executor's fork server)."""
