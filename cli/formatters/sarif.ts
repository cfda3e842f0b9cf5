/**
 * SARIF 2.1.0 for GitHub code scanning: the driver lists every rule (descriptions, help
 * with the docs link, default level); results carry repo-relative URIs under %SRCROOT%,
 * UTF-16 regions, related locations, fixes and partialFingerprints. Each rule's message
 * templates are its `messageStrings` (SARIF's `{0}` placeholders); a result's message
 * names its template (`id`, the core's messageId) with the `arguments`, and keeps the
 * filled-in `text` that code scanning shows.
 */
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_METAS, templateParts } from '../../rules/index.js';
import type { Finding, Range } from '../../rules/index.js';
import { Lines, type FormatContext } from './common.js';

const INFORMATION_URI = 'https://github.com/vforklint/vforklint';

function level(sev: string): 'error' | 'warning' | 'none' {
  return sev === 'error' ? 'error' : sev === 'warning' ? 'warning' : 'none';
}

function region(r: Range): Record<string, number> {
  return { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column, charOffset: r.start.offset, charLength: r.end.offset - r.start.offset };
}

function uriOf(ctx: FormatContext, path: string): string {
  const rel = relative(ctx.root, path);
  if (!rel || rel.startsWith('..')) return pathToFileURL(path).href;
  return rel.split(sep).map(encodeURIComponent).join('/');
}

/** The placeholder names of a core template, each once, by first appearance: SARIF's argument order. */
function placeholderNames(template: string): string[] {
  return [...new Set(templateParts(template).filter((_, i) => i % 2 === 1))];
}

/** A core template as a SARIF message string: `{{name}}` becomes `{i}`, literal braces are doubled. */
function sarifMessageString(template: string): string {
  const names = placeholderNames(template);
  return templateParts(template)
    .map((part, i) => (i % 2 ? `{${names.indexOf(part)}}` : part.replace(/[{}]/g, '$&$&')))
    .join('');
}

/** The filled-in text (what code scanning shows), and the template's id with the arguments that fill it. */
function sarifMessage(f: Finding, template: string | undefined): Record<string, unknown> {
  const message: Record<string, unknown> = { text: f.message, id: f.messageId };
  const names = template === undefined ? [] : placeholderNames(template);
  if (names.length) message.arguments = names.map((n) => f.data?.[n] ?? `{{${n}}}`);
  return message;
}

function ruleName(id: string): string {
  return id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase());
}

export function formatSarif(ctx: FormatContext): string {
  const ruleIndex = new Map(RULE_METAS.map((m, i) => [m.id as string, i]));
  const rules = RULE_METAS.map((m) => ({
    id: m.id,
    name: ruleName(m.id),
    shortDescription: { text: m.description },
    fullDescription: { text: `${m.description} Languages: ${m.languages.join(', ')}.` },
    messageStrings: Object.fromEntries(Object.entries(m.messages).map(([id, template]) => [id, { text: sarifMessageString(template) }])),
    helpUri: m.docsUrl,
    help: { text: `${m.description} See ${m.docsUrl}`, markdown: `${m.description}\n\nSee [${m.id}](${m.docsUrl}) for the hazard, bad and good examples, and options.` },
    defaultConfiguration: { level: level(m.defaultSeverity), enabled: m.defaultSeverity !== 'off' },
    properties: { tags: ['vfork', 'correctness', ...m.languages] },
  }));
  const artifactOf = (uri: string) => (uri.startsWith('file:') ? { uri } : { uri, uriBaseId: '%SRCROOT%' });
  const results: unknown[] = [];
  const notifications: unknown[] = [];
  for (const p of ctx.problems) {
    const uri = uriOf(ctx, p.absolutePath);
    const artifactLocation = uri.startsWith('file:') ? { uri } : { uri, uriBaseId: '%SRCROOT%' };
    const text = p.kind === 'unmatched' ? p.message : `${uri}: ${p.message}`;
    notifications.push({ level: p.fatal ? 'error' : 'warning', message: { text }, locations: [{ physicalLocation: { artifactLocation } }], properties: { kind: p.kind } });
  }
  for (const r of ctx.results) {
    const uri = uriOf(ctx, r.path);
    const artifactLocation = artifactOf(uri);
    if (r.error) {
      notifications.push({ level: 'error', message: { text: `${uri}: ${r.error}` }, locations: [{ physicalLocation: { artifactLocation } }] });
    }
    for (const n of r.notAnalysed ?? []) {
      const region = { startLine: n.range.start.line, startColumn: n.range.start.column, endLine: n.range.end.line, endColumn: n.range.end.column };
      notifications.push({ level: 'warning', message: { text: `not fully analysed: ${n.reason}` }, locations: [{ physicalLocation: { artifactLocation, region } }] });
    }
    for (const note of r.projectNotes ?? []) notifications.push({ level: 'note', message: { text: `project index: ${note}` }, locations: [{ physicalLocation: { artifactLocation } }] });
    if (!r.findings.length) continue;
    const lines = new Lines(r.text ?? '');
    const seen = new Map<string, number>();
    for (const f of r.findings) {
      const lineText = lines.lineText(f.range.start.line).trim();
      const key = `${f.rule}\0${uri}\0${lineText}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const result: Record<string, unknown> = {
        ruleId: f.rule,
        ruleIndex: ruleIndex.get(f.rule),
        level: level(f.severity),
        message: sarifMessage(f, RULE_METAS[ruleIndex.get(f.rule)!]!.messages[f.messageId]),
        locations: [{ physicalLocation: { artifactLocation, region: region(f.range) } }],
        partialFingerprints: { 'vforklintFindingHash/v1': `${createHash('sha256').update(key).digest('hex').slice(0, 32)}:${n}` },
      };
      if (f.related.length) {
        result.relatedLocations = f.related.map((rel, i) => ({ id: i + 1, physicalLocation: { artifactLocation: rel.file === undefined ? artifactLocation : artifactOf(uriOf(ctx, rel.file)), region: region(rel.range) }, message: { text: rel.message } }));
      }
      if (f.steps.length) {
        // The child's path (RULES section 9): one thread flow whose locations are the steps, in order.
        const locations = f.steps.map((s, i) => ({
          location: { physicalLocation: { artifactLocation: s.file === undefined ? artifactLocation : artifactOf(uriOf(ctx, s.file)), region: region(s.range) }, message: { text: s.message } },
          executionOrder: i + 1,
        }));
        result.codeFlows = [{ threadFlows: [{ locations }] }];
      }
      const fixes = f.fixes.filter((x) => x.edits.length && r.text !== undefined);
      if (fixes.length) {
        result.fixes = fixes.map((fix) => ({
          description: { text: fix.title },
          artifactChanges: [
            {
              artifactLocation,
              replacements: [...fix.edits]
                .sort((a, b) => a.start - b.start)
                .map((e) => {
                  const s = lines.position(e.start);
                  const en = lines.position(e.end);
                  return { deletedRegion: { startLine: s.line, startColumn: s.column, endLine: en.line, endColumn: en.column, charOffset: e.start, charLength: e.end - e.start }, insertedContent: { text: e.newText } };
                }),
            },
          ],
        }));
      }
      if (f.fixDeclined) result.properties = { fixDeclined: f.fixDeclined };
      results.push(result);
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'vforklint', version: ctx.toolVersion, semanticVersion: ctx.toolVersion, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(ctx.root).href.replace(/\/?$/, '/') } },
        invocations: [{ executionSuccessful: !ctx.results.some((r) => r.error) && !ctx.problems.some((p) => p.fatal), toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
