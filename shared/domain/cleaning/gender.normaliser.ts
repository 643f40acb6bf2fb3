import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseText } from './text.normaliser.ts';

export type Gender = 'female' | 'male' | 'other';

const GENDERS: Readonly<Record<string, Gender>> = {
  f: 'female',
  female: 'female',
  woman: 'female',
  女: 'female',
  女性: 'female',
  m: 'male',
  male: 'male',
  man: 'male',
  男: 'male',
  男性: 'male',
  other: 'other',
  其他: 'other',
};

/** A gender word channels send (any case, full- or half-width) as one of the three a profile keeps. */
export const normaliseGender = (raw: unknown): Normalised<Gender> => {
  const said =
    typeof raw === 'string' || typeof raw === 'number' ? normaliseText(String(raw)).toLowerCase() : '';
  // Own keys only: 'constructor' is not a gender.
  const g = Object.hasOwn(GENDERS, said) ? GENDERS[said] : undefined;
  return g ? ok(g) : rejected('gender.unknown');
};
