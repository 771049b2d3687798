/**
 * Splits SQL text into complete statements, as SQLite's sqlite3_complete() sees them: semicolons inside
 * string literals, quoted identifiers and comments do not end a statement, and inside CREATE TRIGGER a
 * statement ends only at the `; END ;` that closes the trigger body.
 */
export function splitStatements(sql: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  // significant tokens of the current statement, upper-cased words and ';'
  let tokens: string[] = [];
  const isTrigger = (): boolean => {
    const t = tokens.filter((x) => x !== ';');
    if (t[0] !== 'CREATE') return false;
    const k = t[1] === 'TEMP' || t[1] === 'TEMPORARY' ? 2 : 1;
    return t[k] === 'TRIGGER';
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < sql.length) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) i += 2;
          else break;
        } else i++;
      }
      i++;
      tokens.push('LIT');
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j] as string)) j++;
      tokens.push(sql.slice(i, j).toUpperCase());
      i = j;
      continue;
    }
    if (c === ';') {
      const n = tokens.length;
      const endsTrigger = n >= 2 && tokens[n - 1] === 'END' && tokens[n - 2] === ';';
      if (!isTrigger() || endsTrigger) {
        const text = sql.slice(start, i + 1).trim();
        if (tokens.length > 0) statements.push(text);
        start = i + 1;
        tokens = [];
      } else tokens.push(';');
      i++;
      continue;
    }
    if (!/\s/.test(c)) tokens.push(c);
    i++;
  }
  const rest = sql.slice(start);
  // a final statement without its semicolon still counts when nothing else follows it (shell -e)
  return { statements, rest: tokens.length > 0 ? rest : '' };
}
