"""Reading inputs: local files and standard input (``local``); ``summarizer.read`` joins them."""
