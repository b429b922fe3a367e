// fixture:js/greeter@0.1.0 (greeter.wit), made a component by componentize-js.
export const greeter = {
  greet(name) {
    console.log(`greeting ${name}`); // through wasi:cli/stdout
    return `hello, ${name}!`;
  },
  summarize(xs) {
    let total = 0n;
    let max;
    for (const x of xs) {
      total += BigInt(x);
      if (max === undefined || x > max) max = x;
    }
    return { count: xs.length, total, mean: xs.length ? Number(total) / xs.length : 0, max };
  },
  parseLevel(s) {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw `not a level: ${s}`;
    return n;
  },
};
