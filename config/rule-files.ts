// The rule files bundled into a deploy, by path relative to the config folder.
// Written by `npx node scripts/rule-files.ts --write [prometheus.yml]` before
// `npm run deploy`; PROMETHEUS_RULES (which `npm start` sets) overrides it.
const ruleFiles: Record<string, string> = {};
export default ruleFiles;
