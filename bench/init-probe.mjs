// Loaded in a fresh node process per sample: how long does importing a bundle (its cold init) take?
const start = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - start));
