// Preloaded (NODE_OPTIONS=--import) into a CLI run that a test interrupts: the CLI says on stderr
// when its Ctrl-C handler is in place, so the test sends SIGINT then and not after a guessed delay.
let said = false;
for (const method of ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']) {
  const original = process[method];
  process[method] = function (event, ...rest) {
    const result = original.call(this, event, ...rest);
    if (event === 'SIGINT' && !said) {
      said = true;
      process.stderr.write('[test] SIGINT handler installed\n');
    }
    return result;
  };
}
