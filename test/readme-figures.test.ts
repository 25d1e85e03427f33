/**
 * Every figure the README gives that comes from code, checked against the code: the wait loop's schedule and
 * deadlines, the timeouts, cdk-nag's acknowledgements, the names the package exports, the permissions the
 * Service Catalog launch role has, and what the example stack holds. A figure changed in code fails here
 * until the README says the same.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lib from '../lib';
import { addStacks } from '../bin/stacks';
import {
  ATLAS_CALL_MAX_MS,
  DEADLINE_MARGIN_FRACTION,
  DEADLINE_MARGIN_MAX_SECONDS,
  DEADLINE_MARGIN_MIN_SECONDS,
  HTTP_TOTAL_TIMEOUT_MS,
  MAX_SERVICE_TIMEOUT_SECONDS,
  MIN_SERVICE_TIMEOUT_SECONDS,
  OTHERS_DELETION_WAIT,
  POLL_INTERVAL_SECONDS,
  STEP_ATLAS_RETRY_BUDGET_MS,
  STEP_LAMBDA_TIMEOUT_SECONDS,
} from '../lambda/model/timing';
import { deadlineFor } from '../lambda/lifecycle/core/deadline';
import { readmeSection } from './support/readme';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
/** The README as prose: one line, code spans kept. */
const PROSE = README.replace(/\s+/g, ' ');
const CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Every match of `pattern` (first group a number) in the README's prose; at least one must be there. */
function figures(pattern: RegExp): number[] {
  const found = [...PROSE.matchAll(new RegExp(pattern, 'g'))].map((m) => Number(m[1]));
  if (found.length === 0) throw new Error(`the README no longer says ${pattern}: update this check with it`);
  return found;
}

describe('README figures match the code', () => {
  it('the wait loop looks every POLL_INTERVAL_SECONDS, and no growing schedule is claimed for it', () => {
    for (const n of figures(/wait loop polls every (\d+) s/)) expect(n).toBe(POLL_INTERVAL_SECONDS);
    for (const n of figures(/poll interval \((\d+) s/)) expect(n).toBe(POLL_INTERVAL_SECONDS);
    for (const n of figures(/looking every (\d+) s/)) expect(n).toBe(POLL_INTERVAL_SECONDS);
    // The one growing wait is for a service someone else is deleting: its figures are OTHERS_DELETION_WAIT's.
    const statuses = readmeSection('### Statuses and what the resources do with them').replace(/\s+/g, ' ');
    const growing = /someone else is deleting[^)]*?every (\d+) s, growing by half up to (\d+) s/.exec(statuses);
    expect(growing?.slice(1).map(Number)).toEqual([OTHERS_DELETION_WAIT.firstSeconds, OTHERS_DELETION_WAIT.capSeconds]);
    expect(OTHERS_DELETION_WAIT.factor).toBe(1.5);
    expect(PROSE).not.toMatch(/polling (starts )?(at|after) 5 s/);
  });

  it('the deadline: ServiceTimeout less its margin, the smallest and the largest ServiceTimeout', () => {
    const deadline = PROSE.match(
      /less a margin for the last look at Atlas \(one call, up to (\d+) s\) and the answer \((\d+) s\): (\d+) s, or a tenth of `?ServiceTimeout`? when that is more, at most (\d+) minutes/,
    );
    expect(deadline?.slice(1).map(Number)).toEqual([
      ATLAS_CALL_MAX_MS / 1000,
      DEADLINE_MARGIN_MIN_SECONDS - ATLAS_CALL_MAX_MS / 1000,
      DEADLINE_MARGIN_MIN_SECONDS,
      DEADLINE_MARGIN_MAX_SECONDS / 60,
    ]);
    expect(DEADLINE_MARGIN_FRACTION).toBe(0.1);
    // The worked figures: ServiceTimeout → what the loop waits.
    for (const [, timeout, waits] of PROSE.matchAll(/(\d+) s waits (\d+) s/g))
      expect(deadlineFor(0, Number(timeout)) / 1000).toBe(Number(waits));
    for (const n of figures(/smallest `ServiceTimeout` allowed is \*\*(\d+) s\*\*/)) expect(n).toBe(MIN_SERVICE_TIMEOUT_SECONDS);
    for (const n of figures(/ServiceTimeout`? \(up to (\d+) s/)) expect(n).toBe(MAX_SERVICE_TIMEOUT_SECONDS);
  });

  it("the timeouts of an exchange, an Atlas call, a step and the client's sleeps", () => {
    for (const n of figures(/within (\d+) s overall/)) expect(n * 1000).toBe(HTTP_TOTAL_TIMEOUT_MS);
    for (const n of figures(/each call within (\d+) s/)) expect(n * 1000).toBe(ATLAS_CALL_MAX_MS);
    for (const n of figures(/each step within (\d+) s/)) expect(n).toBe(STEP_LAMBDA_TIMEOUT_SECONDS);
    for (const n of figures(/step's (\d+) s timeout/)) expect(n).toBe(STEP_LAMBDA_TIMEOUT_SECONDS);
    for (const n of figures(/the (\d+) s one Atlas call may take/)) expect(n * 1000).toBe(ATLAS_CALL_MAX_MS);
    for (const n of figures(/\((\d+) s in a Lambda step/)) expect(n * 1000).toBe(STEP_ATLAS_RETRY_BUDGET_MS);
  });

  // The count of cdk-nag's acknowledgements is checked beside them, in test/bin/nag.test.ts.

  it('names only classes and errors the package exports (or stacks, exports and parameters the app makes)', () => {
    const app = new App({ context: CONTEXT });
    addStacks(app);
    const stackNames = app.node.children.map((c) => c.node.id);
    const made = [...stackNames, 'AtlasPrivateEndpointServiceToken'];
    const named = [
      ...new Set([...README.matchAll(/`((?:Atlas[A-Z]\w*)|(?:\w*Error)|bundleProviderHandler|providerHandler\w*)`/g)].map((m) => m[1])),
    ];
    // AtlasApiError is the Lambda side's (in "Design"), not the package's; ValidationError is the exported error's `name`;
    // the .NET package's name and Python's error class come with the other languages (see "Installing the library").
    const lambdaSide = ['AtlasApiError', 'AtlasPrivateEndpointCfn', 'RuntimeError'];
    const errorName = new lib.AtlasValidationError('x', new Stack(new App(), 'S')).name;
    expect(PROSE).toContain(`\`AtlasValidationError\` (its \`name\` is \`${errorName}\``);
    const exported = [...Object.keys(lib), errorName];
    expect(named.filter((n) => !exported.includes(n) && !made.includes(n) && !lambdaSide.includes(n))).toEqual([]);
    // The error a synth-time mistake throws is named as exported.
    expect(PROSE).toMatch(/throw an? `AtlasValidationError`/);
  });

  it('the permissions a stack using the resources needs are what the Service Catalog launch role holds', () => {
    const app = new App({ context: CONTEXT });
    const stacks = addStacks(app);
    const template = JSON.stringify(app.synth().getStackByName(stacks.catalog.stackName).template);
    const permissions = readmeSection('## Permissions').replace(/\s+/g, ' ');
    const usingStack = /\*\*Deploying a stack that uses the resources\*\*(.*?)The Service Catalog launch role is exactly that/.exec(
      permissions,
    )?.[1];
    expect(usingStack).toBeDefined();
    const actions = [...usingStack!.matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1]);
    expect(actions.length).toBeGreaterThan(3);
    for (const action of actions) expect([action, template.includes(`"${action}"`)]).toEqual([action, true]);
  });

  it("the example stack's resources: the README's words on NAT gateways match the template", () => {
    const app = new App({ context: CONTEXT });
    addStacks(app);
    const example = app.synth().stacks.find((s) => s.stackName === 'AtlasPrivateLinkExample')!;
    const types = Object.values(example.template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    const natGateways = types.filter((t) => t === 'AWS::EC2::NatGateway').length;
    // Sentences end at ". " (a dot inside `ec2.Vpc` does not end one).
    const claims = PROSE.split(/\. /).filter((sentence) => sentence.includes('`AtlasPrivateLinkExample`') && /NAT gateway/.test(sentence));
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) {
      const saysNone = /\bno NAT gateway|has none|without NAT/.test(claim);
      expect([claim, saysNone]).toEqual([claim, natGateways === 0]);
    }
  });
});

describe("the README's links work where it is read: the repository and npm's package page", () => {
  // npm's page shows the README of the tarball, which carries none of the repository's other files: a relative
  // link there points nowhere. So a link is an in-page anchor or absolute; one into the repository names a
  // file the repository tracks.
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { repository: { url: string } };
  const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
  const targets = [...README.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const tracked = new Set(
    execFileSync('git', ['ls-files'], { cwd: join(__dirname, '..'), encoding: 'utf8' })
      .split('\n')
      .filter(Boolean),
  );
  /** GitHub's heading anchors: lower case, punctuation but hyphens dropped, spaces become hyphens. */
  const anchors = new Set(
    [...README.replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

  it('has links to check', () => expect(targets.length).toBeGreaterThan(5));

  it.each(targets)('%s', (target) => {
    if (target.startsWith('#')) {
      expect([target, anchors.has(target.slice(1))]).toEqual([target, true]);
      return;
    }
    expect(target).toMatch(/^https:\/\//);
    const inRepository = new RegExp(`^${repository.replace(/[.]/g, '\\.')}/(?:blob|raw)/main/(.+)$`).exec(target);
    if (target.startsWith(repository)) {
      expect(inRepository).not.toBeNull();
      expect([inRepository![1], tracked.has(inRepository![1])]).toEqual([inRepository![1], true]);
    }
  });
});
