/**
 * The one check of a language code's spelling where a request names a language before any codec is
 * loaded (the outline's segmentation hint, the TUI's --lang and --source-lang): a FLORES-200 code,
 * three lowercase letters, an underscore and a capitalised ISO 15924 script. Whether the codec knows
 * the language is the codec's to say later (codec.resolveLanguage, with "did you mean").
 */

const FLORES_CODE = /^[a-z]{3}_[A-Z][a-z]{3}$/;

/** What a language code must be, as every message says it. */
export const FLORES_CODE_MUST_BE = "a FLORES-200 code like eng_Latn or zho_Hans";

export function isFloresCode(value: string): boolean {
  return FLORES_CODE.test(value);
}
