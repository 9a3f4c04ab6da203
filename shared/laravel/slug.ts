/**
 * Laravel's `Str::slug($title, '_')` (Illuminate\Support\Str, the same in 8.x and 11.x), which
 * config/database.php uses for the default Redis prefix: `Str::slug(env('APP_NAME', 'laravel'), '_').'_database_'`.
 *
 * `Str::ascii` (voku/portable-ascii) transliterates every script; this port knows Latin letters
 * (accents dropped, the ligatures and special letters below spelled out). `exact` is false when
 * the title has a character it does not know, whose transliteration Laravel may spell differently.
 */
const LATIN: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
};

export interface Slug {
  readonly slug: string;
  /** False when the title had characters outside what this port transliterates. */
  readonly exact: boolean;
}

export function laravelSlug(title: string, separator = '_'): Slug {
  let exact = true;
  const ascii = [...title.normalize('NFKD').replace(/\p{M}+/gu, '')]
    .map((char) => {
      if (char.charCodeAt(0) < 0x80) return char;
      const latin = LATIN[char];
      if (latin !== undefined) return latin;
      // Unicode spaces and dashes become what voku makes of them; anything else is a guess.
      if (/\p{Zs}/u.test(char)) return ' ';
      if (/\p{Pd}/u.test(char)) return '-';
      exact = false;
      return '';
    })
    .join('');
  const flip = separator === '-' ? '_' : '-';
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  let slug = ascii.replace(new RegExp(`[${escaped(flip)}]+`, 'g'), separator);
  slug = slug.replaceAll('@', `${separator}at${separator}`);
  slug = slug.toLowerCase().replace(new RegExp(`[^${escaped(separator)}a-z0-9\\s]+`, 'g'), '');
  slug = slug.replace(new RegExp(`[${escaped(separator)}\\s]+`, 'g'), separator);
  const edge = new RegExp(`^(?:${escaped(separator)})+|(?:${escaped(separator)})+$`, 'g');
  return { slug: slug.replace(edge, ''), exact };
}
