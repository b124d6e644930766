// The editor's reading of a model, for comparing with `mhhsarch validate`: runs
// yaml-language-server (the YAML support of VS Code and other editors) over model files
// with the schema associations of a repository's .vscode/settings.json, as the editor
// would, and prints each file's diagnostics (line:column message), or "ok".
//
//   npm install --prefix /tmp/yls yaml-language-server@2     # once; not a project dependency
//   NODE_PATH=/tmp/yls/node_modules node tools/editor_agreement.mjs REPO FILE...
//
// With `mhhsarch init demo`, both report the same findings at the same positions (checked
// with yaml-language-server 2.0.0): `tranche: 02` is accepted by both, `name: 0123` is a
// type error in both, `W8O4:` under `rules:` is rejected by both.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), 'x.js'));
const { getLanguageService } = await import(pathToFileURL(require.resolve('yaml-language-server')).href);
const { TextDocument } = await import(pathToFileURL(require.resolve('vscode-languageserver-textdocument')).href);

const [root, ...files] = process.argv.slice(2);
const settings = JSON.parse(fs.readFileSync(path.join(root, '.vscode/settings.json'), 'utf8'));
const schemas = Object.entries(settings['yaml.schemas']).map(([schema, globs]) => ({
  uri: pathToFileURL(path.resolve(root, schema)).href,
  fileMatch: globs,
}));
const service = getLanguageService({
  schemaRequestService: async (uri) => fs.readFileSync(fileURLToPath(uri), 'utf8'),
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({ validate: true, schemas, yamlVersion: settings['yaml.yamlVersion'] });
for (const file of files) {
  const document = TextDocument.create(pathToFileURL(path.resolve(file)).href, 'yaml', 1, fs.readFileSync(file, 'utf8'));
  const found = await service.doValidation(document, false);
  const shown = found.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
  console.log(`${path.relative(root, file)}: ${shown.length ? shown.join(' | ') : 'ok'}`);
}
