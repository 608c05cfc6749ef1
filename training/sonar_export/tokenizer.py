"""fairseq2's NLLB id layout on top of SONAR's SentencePiece model (reference/sonar.md §1.3).

  id 0 <pad>, 1 <unk>, 2 <s>, 3 </s>     (fairseq2 order; Hugging Face uses <s>,<pad>,</s>,<unk>)
  SentencePiece piece p -> id p + 1      (fairseq2 inserts <pad> at index 0; the model's own <unk>,
                                          <s>, </s> at 0, 1, 2 land on 1, 2, 3)
  language k of SONAR_LANGUAGES -> lang_token_base + k, lang_token_base = piece count + 1
                                          (256001 for the 256k model: __eng_Latn__ = 256047)
  then <MINED_DATA>, <NMT_BT_DATA>, <SMT_BT_DATA>; vocabulary = lang_token_base + 202 + 3 = 256206.

Encoder input: [__lang__] pieces </s>. Decoder prefix: [</s>, __lang__]. This is the Python twin of
what the TypeScript runtime does with the manifest's tokenizer section; it exists for --check.
"""
import sentencepiece as spm

from .languages import DATA_TAGS, SONAR_LANGUAGES

PAD, UNK, BOS, EOS = 0, 1, 2, 3
PIECE_OFFSET = 1


class NllbTokenizer:
    def __init__(self, model_file, languages=SONAR_LANGUAGES):
        self.sp = spm.SentencePieceProcessor(model_file=str(model_file))
        if (self.sp.unk_id(), self.sp.bos_id(), self.sp.eos_id()) != (0, 1, 2):
            raise ValueError(f"{model_file}: expected the NLLB layout <unk>=0 <s>=1 </s>=2 in the SentencePiece "
                             f"model, found {self.sp.unk_id()}, {self.sp.bos_id()}, {self.sp.eos_id()}")
        self.languages = tuple(languages)
        self.lang_token_base = self.sp.get_piece_size() + PIECE_OFFSET
        self.vocab_size = self.lang_token_base + len(self.languages) + len(DATA_TAGS)

    def lang_id(self, lang):
        try:
            return self.lang_token_base + self.languages.index(lang)
        except ValueError:
            raise ValueError(f"unknown language '{lang}'") from None

    def encode(self, text, lang, max_tokens=514):
        # Like SONAR's pipeline: cut the whole sequence at max_tokens (a cut sentence loses its </s>).
        ids = [self.lang_id(lang)] + [p + PIECE_OFFSET for p in self.sp.encode(text)] + [EOS]
        return ids[:max_tokens]

    def prefix(self, lang):
        return [EOS, self.lang_id(lang)]

    def decode(self, ids):
        pieces = [i - PIECE_OFFSET for i in ids if EOS < i < self.lang_token_base]
        return self.sp.decode(pieces)

    def manifest_section(self, file_name):
        """The manifest's tokenizer block: everything a runtime needs to reproduce encode/decode."""
        return {
            "file": file_name,
            "type": "sentencepiece",
            "id_convention": "fairseq2",
            "piece_offset": PIECE_OFFSET,
            "special_ids": {"pad": PAD, "unk": UNK, "bos": BOS, "eos": EOS},
            "lang_tag_format": "__{lang}__",
            # Language tags are not pieces of the SentencePiece model: they are added ids.
            "lang_token_base": self.lang_token_base,
            "lang_token_ids": {lang: self.lang_token_base + k for k, lang in enumerate(self.languages)},
            "extra_token_ids": {tag: self.lang_token_base + len(self.languages) + k for k, tag in enumerate(DATA_TAGS)},
            "vocab_size": self.vocab_size,
            "encoder_input": ["lang", "text", "eos"],
            "decoder_prefix": ["eos", "lang"],
        }
