import { pinyin } from 'pinyin-pro';
import { type Rng, WeightedList } from './rng';

/**
 * Chinese personal names. Surname weights are per-mille shares of the population (national figures,
 * rounded), so a thousand customers look like a real branch: many 王/李/张, the occasional 欧阳.
 */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 71.2],
  ['李', 70.0],
  ['张', 67.4],
  ['刘', 53.8],
  ['陈', 45.3],
  ['杨', 30.8],
  ['赵', 22.9],
  ['黄', 22.3],
  ['周', 19.8],
  ['吴', 20.5],
  ['徐', 15.9],
  ['孙', 15.5],
  ['胡', 11.4],
  ['朱', 11.7],
  ['高', 8.5],
  ['林', 8.9],
  ['何', 9.2],
  ['郭', 10.5],
  ['马', 12.4],
  ['罗', 8.7],
  ['梁', 7.0],
  ['宋', 5.3],
  ['郑', 7.8],
  ['谢', 5.9],
  ['韩', 4.9],
  ['唐', 5.2],
  ['冯', 4.8],
  ['于', 3.5],
  ['董', 3.7],
  ['肖', 4.2],
  ['程', 3.1],
  ['曹', 4.7],
  ['袁', 3.6],
  ['邓', 4.7],
  ['许', 5.1],
  ['傅', 1.4],
  ['沈', 2.7],
  ['曾', 4.3],
  ['彭', 4.4],
  ['吕', 2.8],
  ['苏', 3.0],
  ['卢', 2.6],
  ['蒋', 3.5],
  ['蔡', 3.4],
  ['贾', 2.0],
  ['丁', 2.8],
  ['魏', 2.9],
  ['薛', 1.6],
  ['叶', 3.2],
  ['闫', 1.5],
  ['余', 3.4],
  ['潘', 3.5],
  ['杜', 3.2],
  ['戴', 1.0],
  ['夏', 2.0],
  ['钟', 2.4],
  ['汪', 2.2],
  ['田', 3.8],
  ['任', 2.7],
  ['姜', 2.5],
  ['范', 2.2],
  ['方', 1.9],
  ['石', 2.1],
  ['姚', 2.6],
  ['谭', 2.3],
  ['廖', 2.1],
  ['邹', 1.8],
  ['熊', 1.7],
  ['金', 2.2],
  ['陆', 2.3],
  ['郝', 1.1],
  ['孔', 0.9],
  ['白', 1.8],
  ['崔', 2.5],
  ['康', 0.8],
  ['毛', 1.2],
  ['邱', 1.7],
  ['秦', 1.7],
  ['江', 1.7],
  ['史', 1.3],
  ['顾', 1.2],
  ['侯', 1.4],
  ['邵', 1.1],
  ['孟', 1.8],
  ['龙', 1.4],
  ['万', 1.1],
  ['段', 1.5],
  ['雷', 1.5],
  ['钱', 1.0],
  ['汤', 0.9],
  ['尹', 1.6],
  ['黎', 1.2],
  ['易', 0.6],
  ['常', 0.8],
  ['武', 1.0],
  ['乔', 0.6],
  ['贺', 1.2],
  ['赖', 0.8],
  ['龚', 1.1],
  ['文', 0.7],
  ['庞', 0.6],
  ['樊', 0.7],
  ['兰', 0.4],
  ['殷', 0.5],
  ['施', 0.8],
  ['陶', 1.3],
  ['洪', 0.7],
  ['翟', 0.5],
  ['安', 0.6],
  ['颜', 0.6],
  ['倪', 0.6],
  ['严', 1.0],
  ['牛', 0.7],
  ['温', 0.8],
  ['芦', 0.2],
  ['季', 0.3],
  ['俞', 0.4],
  ['章', 0.5],
  ['鲁', 0.5],
  ['葛', 0.7],
  ['伍', 0.6],
  ['韦', 2.0],
  ['申', 0.4],
  ['尤', 0.2],
  ['毕', 0.3],
  ['聂', 0.5],
  ['焦', 0.4],
  ['向', 0.9],
  ['柳', 0.4],
  ['邢', 0.7],
  ['岳', 0.5],
  ['齐', 0.6],
  ['梅', 0.3],
  ['莫', 0.9],
  ['庄', 0.5],
  ['辛', 0.3],
  ['管', 0.2],
  ['祝', 0.4],
  ['左', 0.4],
  ['涂', 0.3],
  ['谷', 0.3],
  ['祁', 0.2],
  ['时', 0.2],
  ['舒', 0.3],
  ['耿', 0.4],
  ['牟', 0.2],
  ['卜', 0.2],
  ['路', 0.3],
  ['詹', 0.5],
  ['关', 0.4],
  ['苗', 0.3],
  ['凌', 0.3],
  ['费', 0.2],
  ['纪', 0.3],
  ['靳', 0.3],
  ['盛', 0.3],
  ['童', 0.3],
  ['欧', 0.4],
  ['甄', 0.2],
  ['项', 0.2],
  ['曲', 0.3],
  ['成', 0.3],
  ['游', 0.3],
  ['阳', 0.2],
  ['裴', 0.3],
  ['席', 0.2],
  ['卫', 0.2],
  ['查', 0.1],
  ['屈', 0.2],
  ['鲍', 0.2],
  ['位', 0.1],
  ['覃', 1.0],
  ['霍', 0.3],
  ['翁', 0.3],
  ['隋', 0.1],
  ['植', 0.1],
  ['甘', 0.4],
  ['景', 0.2],
  ['薄', 0.1],
  ['单', 0.3],
  ['包', 0.3],
  ['司', 0.2],
  ['柏', 0.2],
  ['宁', 0.3],
  ['柯', 0.3],
  ['阮', 0.3],
  ['桂', 0.2],
  ['闵', 0.2],
  ['解', 0.2],
  ['强', 0.2],
  ['柴', 0.2],
  ['华', 0.2],
  ['车', 0.2],
  ['冉', 0.3],
  ['房', 0.2],
  ['边', 0.1],
  ['辜', 0.1],
  ['吉', 0.2],
  ['饶', 0.2],
  ['刁', 0.1],
  ['瞿', 0.2],
  ['戚', 0.2],
  ['丘', 0.1],
  ['古', 0.2],
  ['米', 0.2],
  ['池', 0.1],
  ['滕', 0.2],
  ['晋', 0.1],
  ['苑', 0.1],
  ['邬', 0.2],
  ['臧', 0.1],
  ['畅', 0.1],
  ['宫', 0.2],
  ['来', 0.1],
  ['苟', 0.2],
  ['全', 0.2],
  ['褚', 0.2],
  ['廉', 0.1],
  ['简', 0.2],
  ['娄', 0.2],
  ['盖', 0.1],
  ['符', 0.3],
  ['奚', 0.1],
  ['木', 0.1],
  ['穆', 0.2],
  ['党', 0.2],
  ['燕', 0.1],
  ['郎', 0.1],
  ['邸', 0.1],
  ['冀', 0.1],
  ['谈', 0.1],
  ['姬', 0.1],
  ['屠', 0.1],
  ['连', 0.2],
  ['郜', 0.1],
  ['晏', 0.2],
  ['栾', 0.1],
  ['郁', 0.1],
  ['商', 0.1],
  ['蒙', 0.2],
  ['计', 0.1],
  ['喻', 0.2],
  ['揭', 0.1],
  ['窦', 0.2],
  ['迟', 0.1],
  ['宇', 0.1],
  ['敖', 0.1],
  ['糜', 0.1],
  ['鄢', 0.1],
  ['冷', 0.2],
  ['卓', 0.2],
  ['花', 0.1],
  ['仇', 0.1],
  ['艾', 0.2],
  ['蓝', 0.3],
  ['都', 0.1],
  ['巩', 0.1],
  ['稽', 0.1],
  ['井', 0.1],
  ['练', 0.1],
  ['仲', 0.1],
  ['乐', 0.1],
  ['虞', 0.1],
  ['卞', 0.1],
  ['封', 0.1],
  ['竺', 0.1],
  ['冼', 0.1],
  ['原', 0.1],
  ['官', 0.1],
  ['衣', 0.1],
  ['楚', 0.1],
  ['佟', 0.1],
  ['栗', 0.1],
  ['匡', 0.1],
  ['宗', 0.1],
  ['应', 0.2],
  ['台', 0.1],
  ['巫', 0.1],
  ['鞠', 0.1],
  ['僧', 0.1],
  ['桑', 0.1],
  ['荆', 0.1],
  ['谌', 0.1],
  ['银', 0.1],
  ['扬', 0.1],
  ['明', 0.1],
  ['沙', 0.1],
  ['伏', 0.1],
  ['岑', 0.2],
  ['习', 0.1],
  ['胥', 0.1],
  ['保', 0.1],
  ['和', 0.1],
  ['蔺', 0.1],
  // 复姓: rare, but a demo list without a single 欧阳 looks invented.
  ['欧阳', 0.12],
  ['司马', 0.03],
  ['诸葛', 0.02],
  ['上官', 0.02],
  ['东方', 0.01],
  ['皇甫', 0.01],
  ['慕容', 0.01],
  ['令狐', 0.01],
  ['司徒', 0.02],
  ['夏侯', 0.01],
  ['尉迟', 0.01],
  ['公孙', 0.01],
];

// Characters chosen to be unambiguous in pinyin when they stand in a given name (no 乐/长/朝-style readings).
const MALE_CHARS = [
  ...'伟强磊军勇杰涛斌明超刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰建国志文博杨亮东晨阳一小子天云海成振洋庆彬轩宏睿哲翔瑞泽昊铭然嘉豪晓坤康航毅锋昕德义忠兵锦',
];
const FEMALE_CHARS = [
  ...'芳娜敏静丽艳娟霞秀燕玲桂英红梅兰琳萍雪婷慧颖倩琴云洁莉佳晶欣悦瑶怡璐妍蕾露婉雯诗梦涵雨馨琪彤萱岚蓉凤春菲月丹青荣晓小思可心宁文玉珍欢美淑嘉',
];
// Names of the 1950s-60s: a customer born in 1952 is more likely a 建国 or a 秀英 than a 梓涵.
const OLD_MALE = ['建国', '建华', '国强', '国庆', '卫东', '志强', '建军', '国华', '德明', '振华', '永胜', '红兵'];
const OLD_FEMALE = ['秀英', '桂英', '玉兰', '淑珍', '凤英', '桂兰', '秀兰', '秀珍', '玉珍', '丽华', '美华', '红梅'];
const YOUNG_MALE = ['子轩', '浩然', '宇轩', '梓豪', '俊杰', '一鸣', '博文', '思远', '皓轩', '子豪'];
const YOUNG_FEMALE = ['梓涵', '欣怡', '诗涵', '雨萱', '可馨', '思琪', '语桐', '梦瑶', '佳怡', '紫萱'];

/** Initials and full pinyin per character, filled once so a million names cost no dictionary look-ups. */
const initialsCache = new Map<string, string>();
const pinyinCache = new Map<string, string>();

function cacheText(text: string, asSurname: boolean): void {
  if (initialsCache.has(text)) return;
  const opts = { toneType: 'none', type: 'array', surname: asSurname ? 'all' : 'off', nonZh: 'consecutive' } as const;
  const full = pinyin(text, opts) as string[];
  initialsCache.set(text, full.map((p) => p.charAt(0).toLowerCase()).join(''));
  pinyinCache.set(
    text,
    full
      .join('')
      .toLowerCase()
      .replace(/ü/g, 'v')
      .replace(/[^a-z0-9]/g, ''),
  );
}

for (const [s] of SURNAMES) cacheText(s, true);
for (const list of [MALE_CHARS, FEMALE_CHARS, OLD_MALE, OLD_FEMALE, YOUNG_MALE, YOUNG_FEMALE]) {
  for (const word of list) for (const ch of word) cacheText(ch, false);
}

/** Lower-case pinyin initials of any text; characters outside the cache are looked up once and kept. */
export function initialsOf(text: string): string {
  let out = '';
  for (const ch of text) {
    let v = initialsCache.get(ch);
    if (v === undefined) {
      cacheText(ch, false);
      v = initialsCache.get(ch)!;
    }
    out += v;
  }
  return out;
}

export function surnameInitials(surname: string): string {
  return initialsCache.get(surname) ?? initialsOf(surname);
}

export function pinyinOf(text: string, leadingSurname?: string): string {
  let out = '';
  let rest = text;
  if (leadingSurname && text.startsWith(leadingSurname)) {
    out = pinyinCache.get(leadingSurname) ?? '';
    rest = text.slice(leadingSurname.length);
  }
  for (const ch of rest) {
    if (!pinyinCache.has(ch)) cacheText(ch, false);
    out += pinyinCache.get(ch)!;
  }
  return out;
}

const surnameList = WeightedList.of(SURNAMES);

export const SURNAME_COUNT = SURNAMES.length;
export const COMPOUND_SURNAMES: readonly string[] = SURNAMES.filter(([s]) => s.length === 2).map(([s]) => s);

export interface PersonName {
  name: string;
  surname: string;
  given: string;
  initials: string;
}

/**
 * A name for someone of the given gender born in `birthYear`: about 30% single-character given names,
 * the rest two characters, with period-typical full given names for the old and the young.
 */
export function personName(rng: Rng, male: boolean, birthYear: number): PersonName {
  const surname = surnameList.sample(rng);
  let given: string;
  const r = rng.next();
  if (birthYear < 1965 && r < 0.2) given = rng.pick(male ? OLD_MALE : OLD_FEMALE);
  else if (birthYear >= 1995 && r < 0.15) given = rng.pick(male ? YOUNG_MALE : YOUNG_FEMALE);
  else {
    const chars = male ? MALE_CHARS : FEMALE_CHARS;
    given = rng.pick(chars);
    if (rng.next() >= 0.3) given += rng.pick(chars);
  }
  const name = surname + given;
  return { name, surname, given, initials: surnameInitials(surname) + initialsOf(given) };
}

/** Just the text of a random name, for counterparties and legal representatives. */
export function randomName(rng: Rng): string {
  const male = rng.next() < 0.55;
  return personName(rng, male, 1960 + rng.int(45)).name;
}
