/**
 * SONAR's 202 languages (the NLLB-200 set: FLORES-200 minus arb_Latn and min_Arab, with Santali
 * listed as sat_Beng although it is written in Ol Chiki), with English names and scripts, plus the
 * lookups the CLI, TUI and server use to accept, name and suggest language codes.
 *
 * The table is in SONAR's card order (sonar/cards/text_sonar_basic_encoder.yaml), which is also the
 * order of NLLB's language-tag ids: __{code}__ = 256001 + index (eng_Latn = 256047). Names follow the
 * SONAR README's language table (from the NLLB paper), with the script added where a language has two.
 */
import { didYouMean, editDistance } from "../util/did-you-mean.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";

export interface LanguageInfo {
  /** FLORES-200 code as SONAR spells it, e.g. "fra_Latn". */
  readonly code: string;
  readonly name: string;
  /** ISO 639-3 part of the code, e.g. "fra". */
  readonly iso3: string;
  /** ISO 15924 script the text is written in (the code's suffix, except Santali: Olck). */
  readonly script: string;
}

const SONAR_ROWS: readonly (readonly [string, string])[] = [
  ["ace_Arab", "Acehnese (Arabic script)"],
  ["ace_Latn", "Acehnese (Latin script)"],
  ["acm_Arab", "Mesopotamian Arabic"],
  ["acq_Arab", "Taʽizzi-Adeni Arabic"],
  ["aeb_Arab", "Tunisian Arabic"],
  ["afr_Latn", "Afrikaans"],
  ["ajp_Arab", "South Levantine Arabic"],
  ["aka_Latn", "Akan"],
  ["amh_Ethi", "Amharic"],
  ["apc_Arab", "North Levantine Arabic"],
  ["arb_Arab", "Modern Standard Arabic"],
  ["ars_Arab", "Najdi Arabic"],
  ["ary_Arab", "Moroccan Arabic"],
  ["arz_Arab", "Egyptian Arabic"],
  ["asm_Beng", "Assamese"],
  ["ast_Latn", "Asturian"],
  ["awa_Deva", "Awadhi"],
  ["ayr_Latn", "Central Aymara"],
  ["azb_Arab", "South Azerbaijani"],
  ["azj_Latn", "North Azerbaijani"],
  ["bak_Cyrl", "Bashkir"],
  ["bam_Latn", "Bambara"],
  ["ban_Latn", "Balinese"],
  ["bel_Cyrl", "Belarusian"],
  ["bem_Latn", "Bemba"],
  ["ben_Beng", "Bengali"],
  ["bho_Deva", "Bhojpuri"],
  ["bjn_Arab", "Banjar (Arabic script)"],
  ["bjn_Latn", "Banjar (Latin script)"],
  ["bod_Tibt", "Standard Tibetan"],
  ["bos_Latn", "Bosnian"],
  ["bug_Latn", "Buginese"],
  ["bul_Cyrl", "Bulgarian"],
  ["cat_Latn", "Catalan"],
  ["ceb_Latn", "Cebuano"],
  ["ces_Latn", "Czech"],
  ["cjk_Latn", "Chokwe"],
  ["ckb_Arab", "Central Kurdish"],
  ["crh_Latn", "Crimean Tatar"],
  ["cym_Latn", "Welsh"],
  ["dan_Latn", "Danish"],
  ["deu_Latn", "German"],
  ["dik_Latn", "Southwestern Dinka"],
  ["dyu_Latn", "Dyula"],
  ["dzo_Tibt", "Dzongkha"],
  ["ell_Grek", "Greek"],
  ["eng_Latn", "English"],
  ["epo_Latn", "Esperanto"],
  ["est_Latn", "Estonian"],
  ["eus_Latn", "Basque"],
  ["ewe_Latn", "Ewe"],
  ["fao_Latn", "Faroese"],
  ["pes_Arab", "Western Persian"],
  ["fij_Latn", "Fijian"],
  ["fin_Latn", "Finnish"],
  ["fon_Latn", "Fon"],
  ["fra_Latn", "French"],
  ["fur_Latn", "Friulian"],
  ["fuv_Latn", "Nigerian Fulfulde"],
  ["gla_Latn", "Scottish Gaelic"],
  ["gle_Latn", "Irish"],
  ["glg_Latn", "Galician"],
  ["grn_Latn", "Guarani"],
  ["guj_Gujr", "Gujarati"],
  ["hat_Latn", "Haitian Creole"],
  ["hau_Latn", "Hausa"],
  ["heb_Hebr", "Hebrew"],
  ["hin_Deva", "Hindi"],
  ["hne_Deva", "Chhattisgarhi"],
  ["hrv_Latn", "Croatian"],
  ["hun_Latn", "Hungarian"],
  ["hye_Armn", "Armenian"],
  ["ibo_Latn", "Igbo"],
  ["ilo_Latn", "Ilocano"],
  ["ind_Latn", "Indonesian"],
  ["isl_Latn", "Icelandic"],
  ["ita_Latn", "Italian"],
  ["jav_Latn", "Javanese"],
  ["jpn_Jpan", "Japanese"],
  ["kab_Latn", "Kabyle"],
  ["kac_Latn", "Jingpho"],
  ["kam_Latn", "Kamba"],
  ["kan_Knda", "Kannada"],
  ["kas_Arab", "Kashmiri (Arabic script)"],
  ["kas_Deva", "Kashmiri (Devanagari script)"],
  ["kat_Geor", "Georgian"],
  ["knc_Arab", "Central Kanuri (Arabic script)"],
  ["knc_Latn", "Central Kanuri (Latin script)"],
  ["kaz_Cyrl", "Kazakh"],
  ["kbp_Latn", "Kabiyè"],
  ["kea_Latn", "Kabuverdianu"],
  ["khm_Khmr", "Khmer"],
  ["kik_Latn", "Kikuyu"],
  ["kin_Latn", "Kinyarwanda"],
  ["kir_Cyrl", "Kyrgyz"],
  ["kmb_Latn", "Kimbundu"],
  ["kon_Latn", "Kikongo"],
  ["kor_Hang", "Korean"],
  ["kmr_Latn", "Northern Kurdish"],
  ["lao_Laoo", "Lao"],
  ["lvs_Latn", "Standard Latvian"],
  ["lij_Latn", "Ligurian"],
  ["lim_Latn", "Limburgish"],
  ["lin_Latn", "Lingala"],
  ["lit_Latn", "Lithuanian"],
  ["lmo_Latn", "Lombard"],
  ["ltg_Latn", "Latgalian"],
  ["ltz_Latn", "Luxembourgish"],
  ["lua_Latn", "Luba-Kasai"],
  ["lug_Latn", "Ganda"],
  ["luo_Latn", "Luo"],
  ["lus_Latn", "Mizo"],
  ["mag_Deva", "Magahi"],
  ["mai_Deva", "Maithili"],
  ["mal_Mlym", "Malayalam"],
  ["mar_Deva", "Marathi"],
  ["min_Latn", "Minangkabau"],
  ["mkd_Cyrl", "Macedonian"],
  ["plt_Latn", "Plateau Malagasy"],
  ["mlt_Latn", "Maltese"],
  ["mni_Beng", "Meitei"],
  ["khk_Cyrl", "Halh Mongolian"],
  ["mos_Latn", "Mossi"],
  ["mri_Latn", "Maori"],
  ["zsm_Latn", "Standard Malay"],
  ["mya_Mymr", "Burmese"],
  ["nld_Latn", "Dutch"],
  ["nno_Latn", "Norwegian Nynorsk"],
  ["nob_Latn", "Norwegian Bokmål"],
  ["npi_Deva", "Nepali"],
  ["nso_Latn", "Northern Sotho"],
  ["nus_Latn", "Nuer"],
  ["nya_Latn", "Nyanja"],
  ["oci_Latn", "Occitan"],
  ["gaz_Latn", "West Central Oromo"],
  ["ory_Orya", "Odia"],
  ["pag_Latn", "Pangasinan"],
  ["pan_Guru", "Eastern Panjabi"],
  ["pap_Latn", "Papiamento"],
  ["pol_Latn", "Polish"],
  ["por_Latn", "Portuguese"],
  ["prs_Arab", "Dari"],
  ["pbt_Arab", "Southern Pashto"],
  ["quy_Latn", "Ayacucho Quechua"],
  ["ron_Latn", "Romanian"],
  ["run_Latn", "Rundi"],
  ["rus_Cyrl", "Russian"],
  ["sag_Latn", "Sango"],
  ["san_Deva", "Sanskrit"],
  ["sat_Beng", "Santali"],
  ["scn_Latn", "Sicilian"],
  ["shn_Mymr", "Shan"],
  ["sin_Sinh", "Sinhala"],
  ["slk_Latn", "Slovak"],
  ["slv_Latn", "Slovenian"],
  ["smo_Latn", "Samoan"],
  ["sna_Latn", "Shona"],
  ["snd_Arab", "Sindhi"],
  ["som_Latn", "Somali"],
  ["sot_Latn", "Southern Sotho"],
  ["spa_Latn", "Spanish"],
  ["als_Latn", "Tosk Albanian"],
  ["srd_Latn", "Sardinian"],
  ["srp_Cyrl", "Serbian"],
  ["ssw_Latn", "Swati"],
  ["sun_Latn", "Sundanese"],
  ["swe_Latn", "Swedish"],
  ["swh_Latn", "Swahili"],
  ["szl_Latn", "Silesian"],
  ["tam_Taml", "Tamil"],
  ["tat_Cyrl", "Tatar"],
  ["tel_Telu", "Telugu"],
  ["tgk_Cyrl", "Tajik"],
  ["tgl_Latn", "Tagalog"],
  ["tha_Thai", "Thai"],
  ["tir_Ethi", "Tigrinya"],
  ["taq_Latn", "Tamasheq (Latin script)"],
  ["taq_Tfng", "Tamasheq (Tifinagh script)"],
  ["tpi_Latn", "Tok Pisin"],
  ["tsn_Latn", "Tswana"],
  ["tso_Latn", "Tsonga"],
  ["tuk_Latn", "Turkmen"],
  ["tum_Latn", "Tumbuka"],
  ["tur_Latn", "Turkish"],
  ["twi_Latn", "Twi"],
  ["tzm_Tfng", "Central Atlas Tamazight"],
  ["uig_Arab", "Uyghur"],
  ["ukr_Cyrl", "Ukrainian"],
  ["umb_Latn", "Umbundu"],
  ["urd_Arab", "Urdu"],
  ["uzn_Latn", "Northern Uzbek"],
  ["vec_Latn", "Venetian"],
  ["vie_Latn", "Vietnamese"],
  ["war_Latn", "Waray"],
  ["wol_Latn", "Wolof"],
  ["xho_Latn", "Xhosa"],
  ["ydd_Hebr", "Eastern Yiddish"],
  ["yor_Latn", "Yoruba"],
  ["yue_Hant", "Yue Chinese"],
  ["zho_Hans", "Chinese (Simplified)"],
  ["zho_Hant", "Chinese (Traditional)"],
  ["zul_Latn", "Zulu"],
];

/** Names of the codes our own codec's training data uses beyond SONAR's set (shared/data/languages.tsv). */
const OTHER_LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  afb_Arab: "Gulf Arabic",
  ang_Latn: "Old English",
  arq_Arab: "Algerian Arabic",
  ber_Latn: 'Berber languages (Tatoeba "ber", Latin script)',
  bre_Latn: "Breton",
  cbk_Latn: "Chavacano",
  cha_Latn: "Chamorro",
  cor_Latn: "Cornish",
  csb_Latn: "Kashubian",
  din_Latn: "Dinka",
  div_Thaa: "Dhivehi",
  dsb_Latn: "Lower Sorbian",
  dtp_Latn: "Central Dusun",
  fil_Latn: "Filipino",
  fry_Latn: "Western Frisian",
  fuc_Latn: "Pulaar",
  gsw_Latn: "Swiss German",
  hmn_Latn: "Hmong",
  hsb_Latn: "Upper Sorbian",
  ido_Latn: "Ido",
  iku_Cans: "Inuktitut (syllabics)",
  ile_Latn: "Interlingue",
  ina_Latn: "Interlingua",
  kzj_Latn: "Coastal Kadazan",
  lat_Latn: "Latin",
  lfn_Cyrl: "Lingua Franca Nova (Cyrillic)",
  lfn_Latn: "Lingua Franca Nova (Latin)",
  liv_Latn: "Livonian",
  lzh_Hani: "Literary Chinese",
  max_Latn: "North Moluccan Malay",
  mey_Arab: "Hassaniya Arabic",
  mhr_Cyrl: "Eastern (Meadow) Mari",
  nde_Latn: "North Ndebele",
  nds_Latn: "Low German",
  nov_Latn: "Novial",
  orv_Cyrl: "Old Russian",
  pam_Latn: "Kapampangan",
  pms_Latn: "Piedmontese",
  shi_Arab: "Tachelhit (Shilha), Arabic script",
  srp_Latn: "Serbian (Latin)",
  swg_Latn: "Swabian",
  tah_Latn: "Tahitian",
  tmw_Latn: "Temuan",
  ton_Latn: "Tongan",
  tzl_Latn: "Talossan",
  uzn_Cyrl: "Northern Uzbek (Cyrillic)",
  ven_Latn: "Venda",
  wuu_Hans: "Wu Chinese",
  yue_Hans: "Cantonese (Simplified)",
  zlm_Latn: "Malay (zlm, colloquial)",
};

export const SCRIPT_NAMES: Readonly<Record<string, string>> = {
  Arab: "Arabic",
  Armn: "Armenian",
  Beng: "Bengali",
  Cans: "Canadian Syllabics",
  Cyrl: "Cyrillic",
  Deva: "Devanagari",
  Ethi: "Ethiopic",
  Geor: "Georgian",
  Grek: "Greek",
  Gujr: "Gujarati",
  Guru: "Gurmukhi",
  Hang: "Hangul",
  Hani: "Han",
  Hans: "Han (Simplified)",
  Hant: "Han (Traditional)",
  Hebr: "Hebrew",
  Jpan: "Japanese",
  Khmr: "Khmer",
  Knda: "Kannada",
  Laoo: "Lao",
  Latn: "Latin",
  Mlym: "Malayalam",
  Mymr: "Myanmar",
  Olck: "Ol Chiki",
  Orya: "Odia",
  Sinh: "Sinhala",
  Taml: "Tamil",
  Telu: "Telugu",
  Tfng: "Tifinagh",
  Thaa: "Thaana",
  Thai: "Thai",
  Tibt: "Tibetan",
};

/** The 202 languages in SONAR's card order. */
export const SONAR_LANGUAGES: readonly LanguageInfo[] = SONAR_ROWS.map(([code, name]) => ({
  code,
  name,
  iso3: code.slice(0, 3),
  script: code === "sat_Beng" ? "Olck" : code.slice(4),
}));

export const SONAR_LANGUAGE_CODES: readonly string[] = SONAR_LANGUAGES.map((l) => l.code);

const BY_CODE = new Map(SONAR_LANGUAGES.map((l) => [l.code, l]));
const BY_LOWER_CODE = new Map(SONAR_LANGUAGES.map((l) => [l.code.toLowerCase(), l]));

/** Whether `code` is one of SONAR's 202 codes (exact spelling). */
export function isKnownLanguage(code: string): boolean {
  return BY_CODE.has(code);
}

export function languageInfo(code: string): LanguageInfo | undefined {
  return BY_CODE.get(code);
}

/** English name of a SONAR code, or of another code our training data uses; undefined otherwise. */
export function languageName(code: string): string | undefined {
  return BY_CODE.get(code)?.name ?? OTHER_LANGUAGE_NAMES[code];
}

/** "fra_Latn (French)", "zho_Hant (Chinese, Traditional)", or the code alone when it has no name. */
export function describeLanguage(code: string): string {
  const name = languageName(code);
  return name === undefined ? code : `${code} (${flatName(name)})`;
}

/** "Chinese (Simplified)" -> "Chinese, Simplified", so it reads well inside parentheses. */
function flatName(name: string): string {
  return name.replace(/ \((.*)\)$/, ", $1");
}

/**
 * Other ways people write a language, mapped to SONAR's code: ISO 639-1 codes, ISO 639-2/B and
 * macrolanguage codes, and common English names that differ from the table's (or are ambiguous in
 * it, like "arabic", which names twenty varieties).
 */
const ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  `
  ISO 639-1:
  af=afr_Latn ak=aka_Latn am=amh_Ethi ar=arb_Arab as=asm_Beng ay=ayr_Latn az=azj_Latn ba=bak_Cyrl
  be=bel_Cyrl bg=bul_Cyrl bm=bam_Latn bn=ben_Beng bo=bod_Tibt bs=bos_Latn ca=cat_Latn cs=ces_Latn
  cy=cym_Latn da=dan_Latn de=deu_Latn dz=dzo_Tibt ee=ewe_Latn el=ell_Grek en=eng_Latn eo=epo_Latn
  es=spa_Latn et=est_Latn eu=eus_Latn fa=pes_Arab ff=fuv_Latn fi=fin_Latn fj=fij_Latn fo=fao_Latn
  fr=fra_Latn ga=gle_Latn gd=gla_Latn gl=glg_Latn gn=grn_Latn gu=guj_Gujr ha=hau_Latn he=heb_Hebr
  hi=hin_Deva hr=hrv_Latn ht=hat_Latn hu=hun_Latn hy=hye_Armn id=ind_Latn ig=ibo_Latn is=isl_Latn
  it=ita_Latn ja=jpn_Jpan jv=jav_Latn ka=kat_Geor kg=kon_Latn ki=kik_Latn kk=kaz_Cyrl km=khm_Khmr
  kn=kan_Knda ko=kor_Hang kr=knc_Latn ks=kas_Arab ku=kmr_Latn ky=kir_Cyrl lb=ltz_Latn lg=lug_Latn
  li=lim_Latn ln=lin_Latn lo=lao_Laoo lt=lit_Latn lv=lvs_Latn mg=plt_Latn mi=mri_Latn mk=mkd_Cyrl
  ml=mal_Mlym mn=khk_Cyrl mr=mar_Deva ms=zsm_Latn mt=mlt_Latn my=mya_Mymr nb=nob_Latn ne=npi_Deva
  nl=nld_Latn nn=nno_Latn no=nob_Latn ny=nya_Latn oc=oci_Latn om=gaz_Latn or=ory_Orya pa=pan_Guru
  pl=pol_Latn ps=pbt_Arab pt=por_Latn qu=quy_Latn rn=run_Latn ro=ron_Latn ru=rus_Cyrl rw=kin_Latn
  sa=san_Deva sc=srd_Latn sd=snd_Arab sg=sag_Latn si=sin_Sinh sk=slk_Latn sl=slv_Latn sm=smo_Latn
  sn=sna_Latn so=som_Latn sq=als_Latn sr=srp_Cyrl ss=ssw_Latn st=sot_Latn su=sun_Latn sv=swe_Latn
  sw=swh_Latn ta=tam_Taml te=tel_Telu tg=tgk_Cyrl th=tha_Thai ti=tir_Ethi tk=tuk_Latn tl=tgl_Latn
  tn=tsn_Latn tr=tur_Latn ts=tso_Latn tt=tat_Cyrl tw=twi_Latn ug=uig_Arab uk=ukr_Cyrl ur=urd_Arab
  uz=uzn_Latn vi=vie_Latn wo=wol_Latn xh=xho_Latn yi=ydd_Hebr yo=yor_Latn zh=zho_Hans zu=zul_Latn
  ISO 639-2/B, macrolanguages and other ISO 639-3 codes of the same languages:
  alb=als_Latn ara=arb_Arab arm=hye_Armn aze=azj_Latn baq=eus_Latn bur=mya_Mymr chi=zho_Hans cmn=zho_Hans
  cze=ces_Latn din=dik_Latn dip=dik_Latn dut=nld_Latn ekk=est_Latn fas=pes_Arab fil=tgl_Latn fre=fra_Latn
  fuf=fuv_Latn ful=fuv_Latn geo=kat_Geor ger=deu_Latn gre=ell_Grek ice=isl_Latn kau=knc_Latn kng=kon_Latn
  kur=kmr_Latn lav=lvs_Latn mac=mkd_Cyrl mao=mri_Latn may=zsm_Latn mlg=plt_Latn mon=khk_Cyrl msa=zsm_Latn
  nep=npi_Deva nor=nob_Latn ori=ory_Orya orm=gaz_Latn pbu=pbt_Arab per=pes_Arab pus=pbt_Arab que=quy_Latn
  quz=quy_Latn rum=ron_Latn slo=slk_Latn sqi=als_Latn src=srd_Latn swa=swh_Latn tib=bod_Tibt uzb=uzn_Latn
  wel=cym_Latn yid=ydd_Hebr zgh=tzm_Tfng zlm=zsm_Latn
  English names and endonyms:
  albanian=als_Latn arabic=arb_Arab azerbaijani=azj_Latn burmese=mya_Mymr cantonese=yue_Hant
  chichewa=nya_Latn chinese=zho_Hans dinka=dik_Latn farsi=pes_Arab filipino=tgl_Latn fula=fuv_Latn
  fulah=fuv_Latn fulfulde=fuv_Latn gaelic=gla_Latn kanuri=knc_Latn kirghiz=kir_Cyrl kurdish=kmr_Latn
  kurmanji=kmr_Latn latvian=lvs_Latn malagasy=plt_Latn malay=zsm_Latn mandarin=zho_Hans manipuri=mni_Beng
  meitei=mni_Beng mongolian=khk_Cyrl nepali=npi_Deva norwegian=nob_Latn oriya=ory_Orya oromo=gaz_Latn
  panjabi=pan_Guru pashto=pbt_Arab persian=pes_Arab punjabi=pan_Guru quechua=quy_Latn serbian=srp_Cyrl
  sinhalese=sin_Sinh slovene=slv_Latn sorani=ckb_Arab swahili=swh_Latn tamazight=tzm_Tfng tibetan=bod_Tibt
  uzbek=uzn_Latn yiddish=ydd_Hebr
  deutsch=deu_Latn français=fra_Latn francais=fra_Latn español=spa_Latn espanol=spa_Latn castellano=spa_Latn
  italiano=ita_Latn português=por_Latn portugues=por_Latn nederlands=nld_Latn svenska=swe_Latn
  norsk=nob_Latn dansk=dan_Latn suomi=fin_Latn polski=pol_Latn čeština=ces_Latn magyar=hun_Latn
  türkçe=tur_Latn русский=rus_Cyrl українська=ukr_Cyrl ελληνικά=ell_Grek עברית=heb_Hebr العربية=arb_Arab
  فارسی=pes_Arab हिन्दी=hin_Deva 中文=zho_Hans 日本語=jpn_Jpan 한국어=kor_Hang
  `
    .split(/\s+/)
    .filter((entry) => entry.includes("="))
    .map((entry) => entry.split("=") as [string, string]),
);

function normalizeInput(input: string): string {
  return input.trim().toLowerCase().replace(/-/g, "_").replace(/\s+/g, " ");
}

interface Candidate {
  readonly code: string;
  readonly name: string | undefined;
  readonly iso3: string;
  readonly script: string;
}

function candidateOf(code: string): Candidate {
  const info = BY_CODE.get(code);
  if (info) return info;
  return { code, name: OTHER_LANGUAGE_NAMES[code], iso3: code.slice(0, 3), script: code.slice(4) };
}

/**
 * How far `input` (normalized) is from a language, lower is closer: exact code 0, alias or exact
 * name 0.1, same ISO 639-3 language 0.2 (0.5 with another script), a word of the name 0.6, else the
 * edit distance to the code, the ISO part, the name or a word of it.
 */
function distance(input: string, lang: Candidate): number {
  const code = lang.code.toLowerCase();
  if (input === code) return 0;
  const alias = ALIASES[input];
  if (alias === lang.code) return 0.1;
  const name = lang.name?.toLowerCase() ?? "";
  const baseName = name.replace(/\s*\(.*\)$/, "");
  if (input === name || input === baseName) return 0.1;
  const [langPart, scriptPart] = input.split("_", 2);
  const iso3 = ALIASES[langPart]?.slice(0, 3) ?? langPart;
  if (iso3 === lang.iso3) {
    if (scriptPart === undefined || scriptPart === lang.script.toLowerCase()) return 0.2;
    return 0.5;
  }
  if (alias !== undefined && alias.slice(0, 3) === lang.iso3) return 0.3;
  const words = baseName.split(/[\s-]+/);
  if (words.includes(input)) return 0.6;
  let best = editDistance(input, code);
  if (scriptPart === undefined) best = Math.min(best, editDistance(input, lang.iso3) + 0.5);
  if (name !== "") {
    best = Math.min(best, editDistance(input, baseName));
    for (const word of words) if (word.length > 3) best = Math.min(best, editDistance(input, word) + 0.7);
  }
  return best;
}

/**
 * The `k` languages closest to `input` (a misspelt code, an ISO 639-1/639-3 code or an English
 * name), closest first; from `among` (default: SONAR's 202). Far-fetched matches are left out, so
 * the list can be empty.
 */
export function suggestLanguages(
  input: string,
  k = 3,
  among: readonly string[] = SONAR_LANGUAGE_CODES,
): Candidate[] {
  const s = normalizeInput(input);
  if (s === "") return [];
  const scored = among
    .map((code, order) => ({ lang: candidateOf(code), d: distance(s, candidateOf(code)), order }))
    .sort((a, b) => a.d - b.d || a.order - b.order);
  if (scored.length === 0) return [];
  // Absolute cut: about one edit per three letters. Relative cut: nothing much worse than the best.
  const limit = Math.min(Math.max(1, Math.floor(s.length / 3)) + 0.5, scored[0].d + 1);
  return scored
    .filter((c) => c.d <= limit)
    .slice(0, k)
    .map((c) => c.lang);
}

function describeCandidate(c: Candidate): string {
  return c.name === undefined ? c.code : `${c.code} (${flatName(c.name)})`;
}

function suggestionHint(suggestions: readonly Candidate[]): string {
  return didYouMean(suggestions.map(describeCandidate));
}

/**
 * The code in `supported` that `input` names, accepting any letter case and "-" for "_"
 * ("eng-latn" -> "eng_Latn"). Throws a UsageError with the closest supported codes when `input`
 * is not a code of `supported`.
 */
export function resolveLanguage(input: string, supported: readonly string[]): string {
  const s = normalizeInput(input);
  const exact = supported.find((code) => code.toLowerCase() === s);
  if (exact !== undefined) return exact;
  const shown = toDisplayLine(input).slice(0, 60);
  const known = BY_LOWER_CODE.get(s);
  if (known !== undefined) {
    // Only the same language in another script is worth suggesting for a real but unsupported code.
    const hint = suggestionHint(suggestLanguages(s, 3, supported).filter((c) => c.iso3 === known.iso3));
    return fail(
      `language ${describeCandidate(known)} is not supported by this model${hint || listOf(supported)}`,
    );
  }
  const hint = suggestionHint(suggestLanguages(s, 3, supported));
  return fail(`unknown language '${shown}'${hint || listOf(supported)}`);
}

function listOf(supported: readonly string[]): string {
  if (supported.length <= 12) return ` (supported: ${supported.join(", ")})`;
  return ` (the model supports ${supported.length} languages; 'lcm models info' lists them)`;
}

function fail(message: string): never {
  throw new UsageError(message);
}

const BY_ISO3 = new Map<string, LanguageInfo[]>();
for (const lang of SONAR_LANGUAGES) {
  const list = BY_ISO3.get(lang.iso3);
  if (list) list.push(lang);
  else BY_ISO3.set(lang.iso3, [lang]);
}

/** SONAR languages whose ISO 639-3 part is `iso3` (two for languages written in two scripts). */
export function languagesOfIso3(iso3: string): readonly LanguageInfo[] {
  return BY_ISO3.get(iso3) ?? [];
}

/** The SONAR code an alias stands for: an ISO 639-1, 639-2/B or macrolanguage code, or an English name. */
export function codeForAlias(alias: string): string | undefined {
  return ALIASES[normalizeInput(alias)];
}
