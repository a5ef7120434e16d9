"""``summarize serve``: key points over HTTP and in a web page, with the model kept warm.

* :mod:`~summarizer.serve.app`: the routes (FastAPI), reading a request's article, the model;
* :mod:`~summarizer.serve.batching`: the short queue that turns concurrent requests into batches;
* :mod:`~summarizer.serve.guard`: what is checked before a body is read (host, API key, size)
  and the security headers; :mod:`~summarizer.serve.errors`: every error's HTTP status;
* :mod:`~summarizer.serve.config`, :mod:`~summarizer.serve.schema`: the server's settings, the JSON;
* ``static/``: the page (HTML, CSS, a little JavaScript), served from the package.

Everything here imports FastAPI and uvicorn (``pip install 'summarizer[serve]'``); nothing
else in the package imports this one, so ``summarize FILE`` never loads them.
"""
