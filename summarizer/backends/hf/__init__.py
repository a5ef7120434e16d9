"""What the ``seq2seq`` and ``llm`` families share for transformers model folders.

* ``checkpoints.py``: find a checkpoint (a directory, or a hub id in the local cache);
* ``safety.py``: a model folder is data: configs checked, remote code and pickles refused;
* ``devices.py``: ``--device`` and ``--dtype``;
* ``batching.py``: length-sorted batches bounded by memory, padding, out-of-memory messages.
"""
