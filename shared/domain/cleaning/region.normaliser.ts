import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseText, normaliseWhitespace, toHalfWidth } from './text.normaliser.ts';

// Every ISO 3166-1 country as `alpha2 alpha3`.
const COUNTRY_CODES =
  'AD AND|AE ARE|AF AFG|AG ATG|AI AIA|AL ALB|AM ARM|AO AGO|AQ ATA|AR ARG|AS ASM|AT AUT|AU AUS|AW ABW|AX ALA|' +
  'AZ AZE|BA BIH|BB BRB|BD BGD|BE BEL|BF BFA|BG BGR|BH BHR|BI BDI|BJ BEN|BL BLM|BM BMU|BN BRN|BO BOL|BQ BES|' +
  'BR BRA|BS BHS|BT BTN|BV BVT|BW BWA|BY BLR|BZ BLZ|CA CAN|CC CCK|CD COD|CF CAF|CG COG|CH CHE|CI CIV|CK COK|' +
  'CL CHL|CM CMR|CN CHN|CO COL|CR CRI|CU CUB|CV CPV|CW CUW|CX CXR|CY CYP|CZ CZE|DE DEU|DJ DJI|DK DNK|DM DMA|' +
  'DO DOM|DZ DZA|EC ECU|EE EST|EG EGY|EH ESH|ER ERI|ES ESP|ET ETH|FI FIN|FJ FJI|FK FLK|FM FSM|FO FRO|FR FRA|' +
  'GA GAB|GB GBR|GD GRD|GE GEO|GF GUF|GG GGY|GH GHA|GI GIB|GL GRL|GM GMB|GN GIN|GP GLP|GQ GNQ|GR GRC|GS SGS|' +
  'GT GTM|GU GUM|GW GNB|GY GUY|HK HKG|HM HMD|HN HND|HR HRV|HT HTI|HU HUN|ID IDN|IE IRL|IL ISR|IM IMN|IN IND|' +
  'IO IOT|IQ IRQ|IR IRN|IS ISL|IT ITA|JE JEY|JM JAM|JO JOR|JP JPN|KE KEN|KG KGZ|KH KHM|KI KIR|KM COM|KN KNA|' +
  'KP PRK|KR KOR|KW KWT|KY CYM|KZ KAZ|LA LAO|LB LBN|LC LCA|LI LIE|LK LKA|LR LBR|LS LSO|LT LTU|LU LUX|LV LVA|' +
  'LY LBY|MA MAR|MC MCO|MD MDA|ME MNE|MF MAF|MG MDG|MH MHL|MK MKD|ML MLI|MM MMR|MN MNG|MO MAC|MP MNP|MQ MTQ|' +
  'MR MRT|MS MSR|MT MLT|MU MUS|MV MDV|MW MWI|MX MEX|MY MYS|MZ MOZ|NA NAM|NC NCL|NE NER|NF NFK|NG NGA|NI NIC|' +
  'NL NLD|NO NOR|NP NPL|NR NRU|NU NIU|NZ NZL|OM OMN|PA PAN|PE PER|PF PYF|PG PNG|PH PHL|PK PAK|PL POL|PM SPM|' +
  'PN PCN|PR PRI|PS PSE|PT PRT|PW PLW|PY PRY|QA QAT|RE REU|RO ROU|RS SRB|RU RUS|RW RWA|SA SAU|SB SLB|SC SYC|' +
  'SD SDN|SE SWE|SG SGP|SH SHN|SI SVN|SJ SJM|SK SVK|SL SLE|SM SMR|SN SEN|SO SOM|SR SUR|SS SSD|ST STP|SV SLV|' +
  'SX SXM|SY SYR|SZ SWZ|TC TCA|TD TCD|TF ATF|TG TGO|TH THA|TJ TJK|TK TKL|TL TLS|TM TKM|TN TUN|TO TON|TR TUR|' +
  'TT TTO|TV TUV|TW TWN|TZ TZA|UA UKR|UG UGA|UM UMI|US USA|UY URY|UZ UZB|VA VAT|VC VCT|VE VEN|VG VGB|VI VIR|' +
  'VN VNM|VU VUT|WF WLF|WS WSM|YE YEM|YT MYT|ZA ZAF|ZM ZMB|ZW ZWE';

const PAIRS = COUNTRY_CODES.split('|').map((pair) => pair.split(' ') as [string, string]);

/** All ISO 3166-1 alpha-2 codes. */
export const COUNTRY_ALPHA2: ReadonlySet<string> = new Set(PAIRS.map(([a2]) => a2));
const ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = new Map(PAIRS.map(([a2, a3]) => [a3, a2]));

// English and Chinese names and everyday aliases of the countries our channels see most, `|`-separated.
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  CN: "china|prc|people's republic of china|mainland china|中国|中華人民共和国|中华人民共和国|中國|中国大陆|中國大陸|大陆",
  HK: 'hong kong|hongkong|hong kong sar|hong kong sar china|香港|中国香港|中國香港|香港特别行政区|香港特別行政區',
  MO: 'macau|macao|macao sar|macau sar|澳门|澳門|中国澳门|中國澳門|澳门特别行政区|澳門特別行政區',
  TW: 'taiwan|chinese taipei|taiwan province of china|台湾|臺灣|台灣|中国台湾|中國台灣|台湾省',
  US: 'united states|united states of america|usa|us|america|美国|美國|美利坚合众国',
  GB: 'united kingdom|uk|great britain|britain|england|scotland|wales|英国|英國|大不列颠',
  JP: 'japan|日本',
  KR: 'south korea|korea|republic of korea|韩国|韓國|南韩|大韩民国',
  KP: "north korea|democratic people's republic of korea|朝鲜|北韩",
  SG: 'singapore|新加坡',
  MY: 'malaysia|马来西亚|馬來西亞',
  TH: 'thailand|泰国|泰國',
  VN: 'vietnam|viet nam|越南',
  PH: 'philippines|菲律宾|菲律賓',
  ID: 'indonesia|印度尼西亚|印尼',
  IN: 'india|印度',
  AU: 'australia|澳大利亚|澳洲|澳大利亞',
  NZ: 'new zealand|新西兰|紐西蘭',
  CA: 'canada|加拿大',
  MX: 'mexico|墨西哥',
  BR: 'brazil|巴西',
  AR: 'argentina|阿根廷',
  CL: 'chile|智利',
  CO: 'colombia|哥伦比亚',
  PE: 'peru|秘鲁',
  DE: 'germany|deutschland|德国|德國',
  FR: 'france|法国|法國',
  IT: 'italy|意大利|義大利',
  ES: 'spain|西班牙',
  PT: 'portugal|葡萄牙',
  NL: 'netherlands|the netherlands|holland|荷兰|荷蘭',
  BE: 'belgium|比利时',
  CH: 'switzerland|瑞士',
  AT: 'austria|奥地利',
  SE: 'sweden|瑞典',
  NO: 'norway|挪威',
  DK: 'denmark|丹麦',
  FI: 'finland|芬兰',
  IE: 'ireland|爱尔兰',
  IS: 'iceland|冰岛',
  LU: 'luxembourg|卢森堡',
  MC: 'monaco|摩纳哥',
  PL: 'poland|波兰',
  CZ: 'czech republic|czechia|捷克',
  HU: 'hungary|匈牙利',
  RO: 'romania|罗马尼亚',
  HR: 'croatia|克罗地亚',
  RS: 'serbia|塞尔维亚',
  GR: 'greece|希腊',
  TR: 'turkey|türkiye|turkiye|土耳其',
  RU: 'russia|russian federation|俄罗斯|俄羅斯',
  UA: 'ukraine|乌克兰',
  KZ: 'kazakhstan|哈萨克斯坦',
  MN: 'mongolia|蒙古|蒙古国',
  AE: 'united arab emirates|uae|阿联酋|阿拉伯联合酋长国',
  SA: 'saudi arabia|沙特阿拉伯|沙特',
  QA: 'qatar|卡塔尔',
  KW: 'kuwait|科威特',
  IL: 'israel|以色列',
  IR: 'iran|伊朗',
  IQ: 'iraq|伊拉克',
  EG: 'egypt|埃及',
  MA: 'morocco|摩洛哥',
  ZA: 'south africa|南非',
  NG: 'nigeria|尼日利亚',
  KE: 'kenya|肯尼亚',
  PK: 'pakistan|巴基斯坦',
  BD: 'bangladesh|孟加拉国|孟加拉',
  LK: 'sri lanka|斯里兰卡',
  NP: 'nepal|尼泊尔',
  MM: 'myanmar|burma|缅甸',
  KH: 'cambodia|柬埔寨',
  LA: 'laos|lao pdr|老挝',
  BN: 'brunei|brunei darussalam|文莱',
  MV: 'maldives|马尔代夫',
};

// Case, width, punctuation and a leading "the" never distinguish two countries.
const nameKey = (s: string): string =>
  normaliseWhitespace(
    toHalfWidth(s).normalize('NFC').toLowerCase().replace(/[.'’]/g, '').replace(/[,()]/g, ' '),
  ).replace(/^the /, '');

const COUNTRY_BY_NAME: ReadonlyMap<string, string> = (() => {
  const index = new Map<string, string>();
  for (const [code, names] of Object.entries(COUNTRY_NAMES)) {
    for (const name of names.split('|')) index.set(nameKey(name), code);
  }
  // The runtime's CLDR names cover the long tail; the curated names above win any clash.
  if (typeof Intl.DisplayNames === 'function') {
    for (const locale of ['en', 'zh', 'zh-Hant']) {
      const display = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
      for (const code of COUNTRY_ALPHA2) {
        const name = display.of(code);
        if (name !== undefined && !index.has(nameKey(name))) index.set(nameKey(name), code);
      }
    }
  }
  return index;
})();

/**
 * Canonicalises a country to its ISO 3166-1 alpha-2 code from an alpha-2 or alpha-3 code, an English or
 * Chinese name, or an everyday alias (`USA`, `UK`, `PRC`, `中华人民共和国`). Hong Kong, Macao and Taiwan
 * map to their own codes (HK, MO, TW), as ISO 3166-1 lists them.
 */
export const normaliseCountry = (raw: unknown): Normalised<string> => {
  if (typeof raw !== 'string') return rejected('country.unknown');
  return remembered(countries, raw, '', countryOf);
};

/*
 * Channels send the same few countries and provinces over and over (`中国`, `CN`, `上海市`): each distinct
 * value is standardised once and remembered. Results are immutable and depend on nothing else; a full memo
 * starts again, and only short values (the only real ones) are kept.
 */
const MEMO_LIMIT = 2000;
const MEMO_MAX_LENGTH = 64;
const countries = new Map<string, Normalised<string>>();
const remembered = (
  memo: Map<string, Normalised<string>>,
  raw: string,
  context: string,
  standardise: (raw: string, context: string) => Normalised<string>,
): Normalised<string> => {
  const known = memo.get(raw);
  if (known !== undefined) return known;
  const result = standardise(raw, context);
  if (raw.length <= MEMO_MAX_LENGTH) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(raw, result);
  }
  return result;
};

const countryOf = (raw: string): Normalised<string> => {
  const key = nameKey(raw);
  if (key === '') return rejected('country.empty');
  const upper = key.toUpperCase();
  if (COUNTRY_ALPHA2.has(upper)) return ok(upper);
  const fromAlpha3 = ALPHA3_TO_ALPHA2.get(upper);
  if (fromAlpha3 !== undefined) return ok(fromAlpha3);
  const fromName = COUNTRY_BY_NAME.get(key);
  return fromName === undefined ? rejected('country.unknown') : ok(fromName);
};

// The 34 provincial-level divisions of ISO 3166-2:CN (letter codes since the 2017-11-23 newsletter), their
// former numeric codes (= GB/T 2260 prefixes) and names: short, official, traditional, pinyin, English.
const CN_DIVISIONS: readonly (readonly [string, string, string])[] = [
  ['BJ', '11', '北京|beijing|peking'],
  ['TJ', '12', '天津|tianjin'],
  ['HE', '13', '河北|hebei'],
  ['SX', '14', '山西|shanxi'],
  ['NM', '15', '内蒙古|内蒙古自治区|內蒙古|內蒙古自治區|内蒙|inner mongolia|nei mongol|neimenggu'],
  ['LN', '21', '辽宁|遼寧|liaoning'],
  ['JL', '22', '吉林|jilin'],
  ['HL', '23', '黑龙江|黑龍江|heilongjiang'],
  ['SH', '31', '上海|shanghai'],
  ['JS', '32', '江苏|江蘇|jiangsu'],
  ['ZJ', '33', '浙江|zhejiang'],
  ['AH', '34', '安徽|anhui'],
  ['FJ', '35', '福建|fujian'],
  ['JX', '36', '江西|jiangxi'],
  ['SD', '37', '山东|山東|shandong'],
  ['HA', '41', '河南|henan'],
  ['HB', '42', '湖北|hubei'],
  ['HN', '43', '湖南|hunan'],
  ['GD', '44', '广东|廣東|guangdong'],
  ['GX', '45', '广西|广西壮族自治区|廣西|廣西壯族自治區|guangxi|guangxi zhuang'],
  ['HI', '46', '海南|hainan'],
  ['CQ', '50', '重庆|重慶|chongqing'],
  ['SC', '51', '四川|sichuan'],
  ['GZ', '52', '贵州|貴州|guizhou'],
  ['YN', '53', '云南|雲南|yunnan'],
  ['XZ', '54', '西藏|西藏自治区|西藏自治區|xizang|tibet'],
  ['SN', '61', '陕西|陝西|shaanxi'],
  ['GS', '62', '甘肃|甘肅|gansu'],
  ['QH', '63', '青海|qinghai'],
  ['NX', '64', '宁夏|宁夏回族自治区|寧夏|寧夏回族自治區|ningxia|ningxia hui'],
  ['XJ', '65', '新疆|新疆维吾尔自治区|新疆維吾爾自治區|xinjiang|xinjiang uygur|xinjiang uyghur'],
  ['TW', '71', '台湾|臺灣|台灣|taiwan'],
  ['HK', '91', '香港|香港特别行政区|香港特別行政區|hong kong|hongkong'],
  ['MO', '92', '澳门|澳門|澳门特别行政区|澳門特別行政區|macao|macau'],
];

/** ISO 3166-2:CN codes of the 34 provincial-level divisions. */
export const CN_PROVINCE_CODES: readonly string[] = CN_DIVISIONS.map(([code]) => `CN-${code}`);
const CN_LETTERS: ReadonlySet<string> = new Set(CN_DIVISIONS.map(([code]) => code));
const CN_LEGACY: ReadonlyMap<string, string> = new Map(
  CN_DIVISIONS.map(([code, numeric]) => [numeric, code]),
);

// Administrative suffixes carry no information once the name is known: 广东省, Guangdong Sheng, Beijing Shi.
const provinceKey = (s: string): string =>
  nameKey(s)
    .replace(/[\s-]/g, '')
    .replace(/(?:province|sheng|shi|municipality|city|autonomousregion|zizhiqu|sar|[省市])$/u, '');

const CN_BY_NAME: ReadonlyMap<string, string> = new Map(
  CN_DIVISIONS.flatMap(([code, , names]) =>
    names.split('|').map((name) => [provinceKey(name), code] as const),
  ),
);

const ISO_3166_2 = /^([A-Z]{2})-([A-Z0-9]{1,3})$/;

const normaliseCnProvince = (text: string): Normalised<string> => {
  const upper = text.toUpperCase();
  const code = /^(?:CN-)?([A-Z]{2})$/.exec(upper)?.[1];
  if (code !== undefined) return CN_LETTERS.has(code) ? ok(`CN-${code}`) : rejected('province.unknown');
  const legacy = CN_LEGACY.get(/^CN-(\d{2})$/.exec(upper)?.[1] ?? '');
  if (legacy !== undefined) return ok(`CN-${legacy}`);
  const byName = CN_BY_NAME.get(provinceKey(text));
  return byName === undefined ? rejected('province.unknown') : ok(`CN-${byName}`);
};

/**
 * Canonicalises a first-level subdivision to its ISO 3166-2 code. For China every provincial-level
 * division is recognised by code (`GD`, `CN-GD`, the pre-2017 `CN-44`) or name (`广东`, `广东省`,
 * `Guangdong`, `内蒙古自治区`, `北京市`). Other countries only pass through well-formed `XX-YYY` codes whose
 * country part matches; their names are not resolved. `country` accepts anything `normaliseCountry` does.
 */
export const normaliseProvince = (raw: unknown, country: string): Normalised<string> => {
  const countryCode = normaliseCountry(country);
  if (!countryCode.ok) return countryCode;
  if (typeof raw !== 'string') return rejected('province.unknown');
  let memo = provinces.get(countryCode.value);
  if (memo === undefined) {
    if (provinces.size >= MEMO_LIMIT) provinces.clear();
    memo = new Map();
    provinces.set(countryCode.value, memo);
  }
  return remembered(memo, raw, countryCode.value, provinceOf);
};

// Per country code: the same name is a province of one country and unknown in another.
const provinces = new Map<string, Map<string, Normalised<string>>>();

const provinceOf = (raw: string, country: string): Normalised<string> => {
  const text = normaliseText(raw).normalize('NFC');
  if (text === '') return rejected('province.empty');
  if (country === 'CN') return normaliseCnProvince(text);
  const iso = ISO_3166_2.exec(text.toUpperCase());
  if (iso === null) return rejected('province.unknown');
  return iso[1] === country ? ok(text.toUpperCase()) : rejected('province.country-mismatch');
};
