// Preloaded with `node --import` into a CLI run whose output depends on elapsed time (the progress
// line shows after 300 ms, its rate after 1 s): Date.now moves 1 ms per call, so a run of enough
// work shows the same lines on a fast machine and on a loaded one. Time still only moves forward.
let now = Date.now();
Date.now = () => (now += 1);
