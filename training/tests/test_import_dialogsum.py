"""lcm.import_dialogsum on a hand-made zip: the train member's Python-literal lines become summarization
records, near-duplicates of a dev dialogue are dropped by either rule, and the test member beside it is
never read (it is not even parseable here, so reading it would fail)."""
import gzip
import json
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[1]

DEV = {
    "id": "dialogsum-dev_0",
    "document": "#Person1#: I would like to book a table for two people tonight, please.\n"
                "#Person2#: Certainly, what time would you like to come in this evening?\n"
                "#Person1#: Around eight o'clock would be perfect for both of us, thanks.\n"
                "#Person2#: Great.\n#Person1#: Yes.",
    "summaries": ["#Person1# books a table."],
}

TRAIN = [
    # 3 long utterances shared with the dev dialogue (punctuation and case aside): dropped
    {"fname": "train_0", "summary": "A booking.",
     "dialogue": "#Person1#: i would like to book a table for two people tonight please\n"
                 "#Person2#: Certainly - what time would you like to come in this evening?\n"
                 "#Person1#: Around eight o'clock would be perfect for both of us, thanks!\n"
                 "#Person2#: See you then, and thank you very much for calling us today."},
    # half of its utterances shared (short ones): dropped
    {"fname": "train_1", "summary": "Short talk.", "dialogue": "#Person1#: Great.\n#Person2#: It rained all week."},
    # nothing shared: kept, with its summary
    {"fname": "train_2", "summary": "#Person1# asks about the weather.",
     "dialogue": "#Person1#: Will it rain tomorrow?\n#Person2#: The forecast says sunshine all day."},
]


class ImportDialogSum(unittest.TestCase):
    def test_keeps_new_dialogues_and_drops_near_duplicates(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            with gzip.open(tmp / "dev.jsonl.gz", "wt") as f:
                f.write(json.dumps(DEV) + "\n")
            with zipfile.ZipFile(tmp / "data.zip", "w") as z:
                z.writestr("DialogSum_Data/dialogsum.train.jsonl", "".join(repr(r) + "\n" for r in TRAIN))
                z.writestr("DialogSum_Data/dialogsum.test.jsonl", "{not readable\n")
            out = tmp / "out.jsonl.gz"
            run = subprocess.run([sys.executable, "-m", "lcm.import_dialogsum", "--zip", str(tmp / "data.zip"),
                                  "--out", str(out), "--dev", str(tmp / "dev.jsonl.gz")],
                                 cwd=TRAINING, capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("kept 1 train dialogues, dropped 2", run.stderr)
            with gzip.open(out, "rt") as f:
                records = [json.loads(line) for line in f]
            self.assertEqual(records, [{"id": "dialogsum-train_2", "lang": "eng_Latn",
                                        "document": TRAIN[2]["dialogue"], "summaries": [TRAIN[2]["summary"]]}])


if __name__ == "__main__":
    unittest.main()
