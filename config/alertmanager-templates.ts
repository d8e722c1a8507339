// The notification template files bundled into a deploy (alertmanager.yml `templates:`).
// Written by `npx node scripts/alertmanager-templates.ts --write [alertmanager.yml]`
// before `npm run deploy`; ALERTMANAGER_TEMPLATES (which `npm start` sets) overrides it.
const templateFiles: Record<string, string> = {};
export default templateFiles;
