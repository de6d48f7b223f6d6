"""Distributed runs on Dask: ``ssbrace ingest --workers N`` / ``--scheduler ADDRESS``, likewise ``reextract``.

``engine`` opens the Dask client (a ``LocalCluster`` or an existing scheduler); ``tasks`` is what runs on the
workers (fetching, main text, duplicate keys, claim extraction: pure work, no store); ``ingest`` is the driver,
which routes the inputs, hands partitions to the workers and writes their results into the store in input
order, duplicates decided at write time. Imported only by the commands that ask for a cluster: Dask is an
optional part (the ``distributed`` extra). See docs/scale.md.
"""
