// Loaded only by jest.mutate.config.js (mutation testing): a snapshot is a safety net,
// never the check that kills a mutant, so snapshot matchers pass whatever they receive.
const pass = () => ({ pass: true, message: () => 'snapshots do not count in mutation testing' });
expect.extend({ toMatchSnapshot: pass, toMatchInlineSnapshot: pass, toThrowErrorMatchingSnapshot: pass, toThrowErrorMatchingInlineSnapshot: pass });
