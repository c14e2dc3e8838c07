/**
 * GLSL for Σ a(k)·b(k) over a run of `count` channels, four terms per `dot` so each step is a
 * single vec4 multiply-add; a remainder of 1–3 terms becomes one float/vec2/vec3 `dot`.
 * `a` and `b` map a GLSL int expression to a GLSL float expression (a sampler call).
 */
export function glslDotSum(
  acc: string,
  count: number,
  loopVar: string,
  a: (k: string) => string,
  b: (k: string) => string,
): string {
  const full = count - (count % 4);
  const lines: string[] = [];
  const quad = (k: string, f: (k: string) => string) => `vec4(${f(k)}, ${f(`${k} + 1`)}, ${f(`${k} + 2`)}, ${f(`${k} + 3`)})`;
  if (full > 0) {
    lines.push(`for (int ${loopVar} = 0; ${loopVar} < ${full}; ${loopVar} += 4) {`);
    lines.push(`  ${acc} += dot(${quad(loopVar, a)}, ${quad(loopVar, b)});`);
    lines.push('}');
  }
  const rest = count % 4;
  if (rest > 0) {
    const ks = Array.from({ length: rest }, (_, r) => String(full + r));
    const type = rest === 1 ? 'float' : `vec${rest}`;
    lines.push(`${acc} += dot(${type}(${ks.map(a).join(', ')}), ${type}(${ks.map(b).join(', ')}));`);
  }
  return lines.join('\n');
}
