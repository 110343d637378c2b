/**
 * Chinese personal names for the demo: surnames sampled by their national shares (the table is in
 * db/names.ts, which also gives the initials), given names typical of the customer's generation.
 */
import { initialsOf, SURNAMES, surnameInitials } from '../names';
import { type Rng, WeightedList } from './rng';

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
