import { residentIdCheckChar, usccCheckChar } from '../../shared/id-numbers';
import { type Rng, WeightedList } from './rng';

/**
 * Identity data for demo customers: ID numbers that pass the national check algorithms, mobiles with
 * real carrier prefixes, and addresses in the branch's city (Shanghai). Region codes are real
 * GB/T 2260 codes, including 卢湾 and 闸北, which were merged away but live on in older ID numbers.
 */
export interface District {
  code: string;
  name: string;
  postcode: string;
  roads: readonly string[];
}

export const CITY = '上海市';
export const DISTRICTS: readonly District[] = [
  {
    code: '310115',
    name: '浦东新区',
    postcode: '200120',
    roads: [
      '张杨路',
      '世纪大道',
      '浦东南路',
      '东方路',
      '杨高中路',
      '锦绣路',
      '花木路',
      '金桥路',
      '张江路',
      '川沙路',
      '蓝村路',
      '崂山路',
    ],
  },
  {
    code: '310101',
    name: '黄浦区',
    postcode: '200001',
    roads: ['南京东路', '西藏中路', '复兴中路', '淮海中路', '河南南路'],
  },
  {
    code: '310104',
    name: '徐汇区',
    postcode: '200030',
    roads: ['漕溪北路', '肇嘉浜路', '天钥桥路', '龙华中路', '虹桥路'],
  },
  { code: '310105', name: '长宁区', postcode: '200050', roads: ['延安西路', '天山路', '仙霞路', '古北路', '愚园路'] },
  {
    code: '310106',
    name: '静安区',
    postcode: '200040',
    roads: ['南京西路', '江宁路', '共和新路', '大统路', '万航渡路'],
  },
  { code: '310107', name: '普陀区', postcode: '200333', roads: ['曹杨路', '真北路', '长寿路', '中山北路', '金沙江路'] },
  { code: '310109', name: '虹口区', postcode: '200080', roads: ['四川北路', '西江湾路', '大连路', '曲阳路', '临平路'] },
  { code: '310110', name: '杨浦区', postcode: '200082', roads: ['国权路', '控江路', '平凉路', '黄兴路', '长阳路'] },
  { code: '310112', name: '闵行区', postcode: '201100', roads: ['莘松路', '沪闵路', '七莘路', '都市路', '虹井路'] },
  { code: '310113', name: '宝山区', postcode: '201900', roads: ['牡丹江路', '友谊路', '共康路', '殷高西路', '淞滨路'] },
  { code: '310114', name: '嘉定区', postcode: '201800', roads: ['城中路', '塔城路', '墨玉南路', '博乐路', '叶城路'] },
  { code: '310116', name: '金山区', postcode: '201500', roads: ['卫零路', '龙皓路', '石化大道', '蒙山路'] },
  {
    code: '310117',
    name: '松江区',
    postcode: '201600',
    roads: ['人民北路', '荣乐中路', '谷阳北路', '文诚路', '广富林路'],
  },
  { code: '310118', name: '青浦区', postcode: '201700', roads: ['公园路', '城中东路', '淀山湖大道', '华青路'] },
  { code: '310120', name: '奉贤区', postcode: '201400', roads: ['南桥路', '解放东路', '望园路', '金海公路'] },
  { code: '310151', name: '崇明区', postcode: '202150', roads: ['八一路', '人民路', '翠竹路'] },
];
/** Share of the branch's customers living in each district (the branch sits in Pudong). */
const DISTRICT_WEIGHTS = [55, 3, 5, 3, 4, 4, 3, 5, 5, 3, 2, 1, 3, 1, 2, 1];
const districtList = new WeightedList(DISTRICTS, DISTRICT_WEIGHTS);

/** Where ID numbers were issued: Shanghai districts (with retired codes) and the provinces people move from. */
const ID_REGIONS: readonly (readonly [string, number])[] = [
  ['310115', 30],
  ['310101', 3],
  ['310103', 2],
  ['310104', 4],
  ['310105', 3],
  ['310106', 3],
  ['310107', 3],
  ['310108', 2],
  ['310109', 3],
  ['310110', 4],
  ['310112', 4],
  ['310113', 3],
  ['310114', 2],
  ['310116', 1],
  ['310117', 2],
  ['310118', 1],
  ['310120', 1],
  ['310230', 1],
  ['320102', 1],
  ['320211', 1],
  ['320506', 1.5],
  ['320582', 1],
  ['321302', 1],
  ['330102', 1],
  ['330203', 1],
  ['340104', 1],
  ['341202', 1.5],
  ['350203', 0.5],
  ['360102', 0.5],
  ['370102', 0.5],
  ['410105', 1],
  ['420106', 0.7],
  ['430104', 0.5],
  ['510107', 0.7],
  ['500103', 0.5],
  ['110105', 0.6],
  ['440106', 0.3],
  ['440305', 0.3],
  ['610113', 0.3],
  ['130102', 0.3],
  ['220102', 0.2],
  ['230102', 0.3],
  ['530102', 0.2],
];
const idRegionList = WeightedList.of(ID_REGIONS);

/** 'YYYYMMDD' from 'YYYY-MM-DD'. */
function compactDate(day: string): string {
  return day.slice(0, 4) + day.slice(5, 7) + day.slice(8, 10);
}

/** An 18-digit resident ID (GB 11643): region, birth date, sequence whose parity is the gender, check char. */
export function residentId(rng: Rng, birthDay: string, male: boolean, region?: string): string {
  const seq = rng.int(500) * 2 + (male ? 1 : 0);
  const body = (region ?? idRegionList.sample(rng)) + compactDate(birthDay) + String(seq).padStart(3, '0');
  return body + residentIdCheckChar(body);
}

export function passportNo(rng: Rng): string {
  return `E${rng.digits(8)}`;
}

export function hkMoPermitNo(rng: Rng): string {
  return (rng.chance(0.7) ? 'H' : 'M') + rng.digits(8);
}

const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * Unified social credit code (GB 32100): '91' (a company registered with market regulation), the
 * 6-digit region, a 9-character organisation code (GB 11714, with its own check) and the MOD 31 check.
 */
export function usccCode(rng: Rng, region: string): string {
  const org8 = String(rng.range(1, 9)) + rng.digits(7);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (org8.charCodeAt(i) - 48) * ORG_CODE_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  const orgCheck = c === 10 ? 'X' : c === 11 ? '0' : String(c);
  const body = `91${region}${org8}${orgCheck}`;
  return body + usccCheckChar(body);
}

export const MOBILE_PREFIXES: readonly string[] = [
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '145',
  '147',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '170',
  '171',
  '172',
  '173',
  '174',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '184',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '198',
  '199',
];
// The 13x/15x/18x ranges carry most subscribers; 14x data cards and 17x virtual operators are rare.
const mobilePrefixList = new WeightedList(
  MOBILE_PREFIXES,
  MOBILE_PREFIXES.map((p) =>
    p.startsWith('14') || p.startsWith('17') ? 0.3 : p.startsWith('19') || p === '166' ? 1 : 3,
  ),
);

export function mobileNo(rng: Rng): string {
  return mobilePrefixList.sample(rng) + rng.digits(8);
}

export function landline(rng: Rng): string {
  return `021-${rng.range(5, 6)}${rng.digits(7)}`;
}

export function pickDistrict(rng: Rng): District {
  return districtList.sample(rng);
}

export function streetAddress(rng: Rng, district: District): string {
  const road = rng.pick(district.roads);
  const no = rng.range(1, 2200);
  if (rng.chance(0.7)) {
    return `${CITY}${district.name}${road}${no}弄${rng.range(1, 60)}号${rng.range(1, 28)}0${rng.range(1, 6)}室`;
  }
  return `${CITY}${district.name}${road}${no}号${rng.range(1, 30)}0${rng.range(1, 8)}室`;
}

export const OCCUPATIONS = WeightedList.of<string>([
  ['企业职员', 30],
  ['专业技术人员', 12],
  ['公务员', 3],
  ['事业单位人员', 5],
  ['教师', 3],
  ['医护人员', 3],
  ['个体工商户', 8],
  ['私营企业主', 3],
  ['自由职业', 6],
  ['金融从业人员', 2],
  ['工人', 6],
  ['服务业人员', 6],
  ['离退休人员', 10],
  ['学生', 2],
  ['无业', 1],
]);
/** Occupations whose holders are usually paid through an employer's payroll account. */
export const SALARIED = new Set([
  '企业职员',
  '专业技术人员',
  '公务员',
  '事业单位人员',
  '教师',
  '医护人员',
  '金融从业人员',
  '工人',
  '服务业人员',
]);

const EMPLOYER_STEMS = [
  '华信',
  '东方',
  '申通',
  '汇丰源',
  '金桥',
  '张江',
  '浦江',
  '新华',
  '联创',
  '国泰',
  '中远',
  '宏达',
  '锦程',
  '恒生',
  '瑞华',
  '海纳',
  '天润',
  '博远',
  '盛世',
  '启明',
];
const EMPLOYER_KINDS = [
  '科技有限公司',
  '信息技术有限公司',
  '贸易有限公司',
  '实业有限公司',
  '物流有限公司',
  '生物医药有限公司',
  '建设工程有限公司',
  '餐饮管理有限公司',
  '电子有限公司',
  '咨询有限公司',
];
const PUBLIC_EMPLOYERS = [
  '上海市浦东新区人民医院',
  '上海市第一人民医院',
  '复旦大学',
  '同济大学',
  '浦东新区教育局',
  '上海地铁运营有限公司',
  '中国东方航空股份有限公司',
  '上海电气集团股份有限公司',
  '上海市浦东新区人民政府',
];

/** A pool of employers, so payroll customers cluster under the same companies as in a real branch. */
export function employerPool(rng: Rng, size: number): string[] {
  const pool = [...PUBLIC_EMPLOYERS];
  while (pool.length < size) pool.push(`上海${rng.pick(EMPLOYER_STEMS)}${rng.pick(EMPLOYER_KINDS)}`);
  return pool;
}

export const INDUSTRIES = WeightedList.of<readonly [string, string]>([
  [['批发和零售业', '贸易'], 22],
  [['软件和信息技术服务业', '科技'], 14],
  [['制造业', '制造'], 14],
  [['建筑业', '建设工程'], 8],
  [['租赁和商务服务业', '商务咨询'], 10],
  [['交通运输、仓储和邮政业', '物流'], 7],
  [['住宿和餐饮业', '餐饮管理'], 7],
  [['房地产业', '置业'], 3],
  [['科学研究和技术服务业', '生物科技'], 6],
  [['文化、体育和娱乐业', '文化传媒'], 4],
  [['居民服务、修理和其他服务业', '家政服务'], 5],
]);
const TRADE_NAMES = [...'华鑫瑞德恒信博达汇通远航金盛宏源佳禾天合正泰嘉联新锐创盈誉昌隆润和顺永安'];
const OTHER_CITIES = ['苏州市', '杭州市', '无锡市', '南通市', '嘉兴市', '宁波市', '昆山市'];

/** 'XX市XX科技有限公司' style names; most companies are registered in Shanghai itself. */
export function companyName(rng: Rng, industryWord: string): string {
  const trade = rng.pick(TRADE_NAMES) + rng.pick(TRADE_NAMES);
  const city = rng.chance(0.85) ? '上海' : rng.pick(OTHER_CITIES);
  const form = rng.chance(0.85) ? '有限公司' : rng.chance(0.5) ? '股份有限公司' : '有限责任公司';
  return `${city}${trade}${industryWord}${form}`;
}

const EMAIL_DOMAINS = WeightedList.of<string>([
  ['qq.com', 40],
  ['163.com', 25],
  ['126.com', 10],
  ['sina.com', 5],
  ['hotmail.com', 4],
  ['gmail.com', 4],
  ['139.com', 6],
  ['foxmail.com', 6],
]);

export function emailFor(rng: Rng, pinyin: string, birthYear: number): string {
  const suffix = rng.chance(0.5) ? String(birthYear % 100).padStart(2, '0') : rng.digits(rng.range(2, 4));
  return `${pinyin}${suffix}@${EMAIL_DOMAINS.sample(rng)}`;
}
