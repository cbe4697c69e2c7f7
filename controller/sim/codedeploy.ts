import { createHash } from 'node:crypto';
import {
  ApplicationAlreadyExistsException,
  ApplicationDoesNotExistException,
  ApplicationNameRequiredException,
  DeploymentAlreadyCompletedException,
  DeploymentConfigDoesNotExistException,
  DeploymentDoesNotExistException,
  DeploymentGroupAlreadyExistsException,
  DeploymentGroupDoesNotExistException,
  DeploymentGroupNameRequiredException,
  DeploymentIdRequiredException,
  DeploymentIsNotInReadyStateException,
  DeploymentLimitExceededException,
  InvalidDeploymentIdException,
  InvalidDeploymentStatusException,
  InvalidNextTokenException,
  InvalidRevisionException,
  RevisionRequiredException,
  type AutoRollbackEvent,
  type CreateDeploymentGroupInput,
  type CreateDeploymentInput,
  type DeploymentGroupInfo,
  type DeploymentInfo,
  type ListDeploymentsInput,
  type UpdateDeploymentGroupInput,
} from '@aws-sdk/client-codedeploy';
import type { NetworkConfiguration } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';
import { page } from './paging.js';
import { upperAlnum } from './support.js';

// ============================================================================================
// Public types: fixtures, scenarios, timing

/** A listener as fixtures name it: the load balancer's name and the listener's port. */
export interface ListenerRefFixture {
  loadBalancer: string;
  port: number;
}

/** An ECS blue/green deployment group as a fixture declares it. */
export interface DeploymentGroupFixture {
  name: string;
  /** The ECS service it deploys. */
  service: { cluster: string; name: string };
  /** Blue and green, by name (they must exist in the simulated ELBv2). */
  targetGroups: [string, string];
  prodListener: ListenerRefFixture;
  testListener?: ListenerRefFixture;
  /** Default `CodeDeployDefault.ECSAllAtOnce`. */
  deploymentConfig?: string;
  /** Minutes the original task set is kept after traffic moved (TERMINATE); default 5. */
  terminationWaitMinutes?: number;
  /** Wait in Ready before traffic is rerouted; default none (CONTINUE_DEPLOYMENT after 0 minutes). */
  readyWait?: { minutes: number; actionOnTimeout: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT' };
  /** Roll back automatically when a deployment fails or is stopped; default true. */
  autoRollback?: boolean;
  serviceRoleArn?: string;
}

/**
 * Starting state of the simulated CodeDeploy: applications (ECS compute platform) and their
 * blue/green deployment groups, bound to an ECS service, two target groups and listeners of the
 * simulated ELBv2 by name. Applied after ELBv2 and ECS.
 *
 * @example
 * // YAML
 * codedeploy:
 *   applications:
 *     - name: messaging-prod
 *       deploymentGroups:
 *         - name: messaging-api
 *           service: { cluster: messaging-prod, name: messaging-api }
 *           targetGroups: [messaging-api-blue, messaging-api-green]
 *           prodListener: { loadBalancer: messaging-api-alb, port: 443 }
 *           testListener: { loadBalancer: messaging-api-alb, port: 8443 }
 */
export interface CodeDeployFixture {
  applications?: { name: string; deploymentGroups?: DeploymentGroupFixture[] }[];
}

/** How long the simulated steps take (ms of simulated time). Scenarios may change them. */
export interface CodeDeployTiming {
  /** Created -> InProgress. */
  startMs: number;
  /** How often CodeDeploy looks at the replacement task set and at alarms. */
  checkMs: number;
  /** Failed tasks of the replacement task set after which the deployment fails. */
  failedTasksLimit: number;
  /** How long a rollback deployment runs before it Succeeds. */
  rollbackMs: number;
}

export const DEFAULT_CODEDEPLOY_TIMING: Readonly<CodeDeployTiming> = { startMs: 2_000, checkMs: 5_000, failedTasksLimit: 3, rollbackMs: 30_000 };

/** How a deployment a scenario makes fail ends: CodeDeploy's error code and message. */
export interface DeploymentFailure {
  code?: string;
  message?: string;
}

/** A deployment as a test inspects it (`CodeDeploySim.deploymentState`). */
export interface CodeDeployDeploymentState {
  id: string;
  status: string;
  creator: string;
  taskDefinition: string;
  error?: { code: string; message: string };
  rollbackDeploymentId?: string;
}

/**
 * The predefined ECS traffic-shifting configurations: `percent` moved at each step, every
 * `intervalMinutes` (canary: one step, then the rest).
 */
const ECS_CONFIGS: Record<string, { type: 'AllAtOnce' | 'Canary' | 'Linear'; percent: number; intervalMinutes: number }> = {
  'CodeDeployDefault.ECSAllAtOnce': { type: 'AllAtOnce', percent: 100, intervalMinutes: 0 },
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': { type: 'Linear', percent: 10, intervalMinutes: 1 },
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': { type: 'Linear', percent: 10, intervalMinutes: 3 },
  'CodeDeployDefault.ECSCanary10Percent5Minutes': { type: 'Canary', percent: 10, intervalMinutes: 5 },
  'CodeDeployDefault.ECSCanary10Percent15Minutes': { type: 'Canary', percent: 10, intervalMinutes: 15 },
};

const ACTIVE = new Set(['Created', 'Queued', 'InProgress', 'Baking', 'Ready']);
const STATUSES = new Set([...ACTIVE, 'Succeeded', 'Failed', 'Stopped']);
const PAGE = 100;

// ============================================================================================
// Internal state

type Out<T> = Omit<T, '$metadata'>;

interface AppState {
  name: string;
  id: string;
  computePlatform: string;
  createdAt: number;
}

interface GroupState {
  app: AppState;
  name: string;
  id: string;
  deploymentConfigName: string;
  serviceRoleArn: string;
  ecsServices: { serviceName: string; clusterName: string }[];
  targetGroups: string[];
  prodListenerArns: string[];
  testListenerArns: string[];
  termination: { action: 'TERMINATE' | 'KEEP_ALIVE'; waitMinutes: number };
  ready: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT'; waitMinutes: number };
  autoRollback: { enabled: boolean; events: string[] };
  lastAttempted?: DeploymentState;
  lastSuccessful?: DeploymentState;
}

interface AppSpec {
  taskDefinition: string;
  containerName: string;
  containerPort: number;
  network?: NetworkConfiguration;
  platformVersion?: string;
}

interface DeploymentState {
  id: string;
  seq: number;
  group: GroupState;
  status: string;
  creator: string;
  description?: string;
  configName: string;
  sha256?: string;
  appSpec?: AppSpec;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  error?: { code: string; message: string };
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  /** Task sets and target groups this deployment works with, once it started. */
  originalTaskSet?: string;
  replacementTaskSet?: string;
  originalTg?: string;
  replacementTg?: string;
  /** Percent of production traffic on the replacement. */
  shifted: number;
  terminationStarted: boolean;
  /** Bumped when the deployment's course changes; timers scheduled under an older value do nothing. */
  gen: number;
  /** Set by a scenario: fail once production traffic reaches the replacement. */
  failure?: Required<DeploymentFailure>;
}

// ============================================================================================

/**
 * The simulated AWS CodeDeploy, for ECS blue/green deployments: applications, deployment groups
 * bound to an ECS service, two target groups and a production (and test) listener, and
 * deployments that go Created -> InProgress -> (Ready) -> Succeeded on the account's clock. A
 * deployment starts a replacement task set in the target group production does not use, points
 * the test listener at it, shifts the production listener to it (ModifyListener on the simulated
 * ELBv2, all at once, canary or linear), makes it the service's PRIMARY task set and deletes the
 * original after the termination wait. It fails when the replacement's tasks keep failing (ECS
 * failure marks) or when a scenario says so (`failDeployments`), and then production is rerouted
 * to the original task set and, with automatic rollback, a `codeDeployRollback` deployment is
 * recorded.
 *
 * @example
 * const account = await simAccountFromFile(EXAMPLES_FIXTURE); // messaging-api on blue
 * account.codedeploy.failDeployments({ taskDefinition: 'messaging-api:2' });
 * await account.clients().codedeploy.send(new CreateDeploymentCommand({ applicationName: 'messaging-prod', deploymentGroupName: 'messaging-api', revision }));
 * account.clock.advance(60_000);
 * account.codedeploy.allDeployments(); // [{ status: 'Failed', ... }, { creator: 'codeDeployRollback', ... }]
 */
export class CodeDeploySim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateApplication: (i) => this.createApplication(i),
    CreateDeploymentGroup: (i) => this.createDeploymentGroup(i),
    UpdateDeploymentGroup: (i) => this.updateDeploymentGroup(i),
    DeleteDeploymentGroup: (i) => this.deleteDeploymentGroup(i),
    GetDeploymentGroup: (i) => this.getDeploymentGroup(i),
    ListApplications: (i) => this.listApplications(i),
    ListDeploymentGroups: (i) => this.listDeploymentGroups(i),
    CreateDeployment: (i) => this.createDeployment(i),
    GetDeployment: (i) => this.getDeployment(i),
    ListDeployments: (i) => this.listDeployments(i),
    StopDeployment: (i) => this.stopDeployment(i),
    ContinueDeployment: (i) => this.continueDeployment(i),
  };

  /** Step durations; change them on a scenario's account before starting anything. */
  readonly timing: CodeDeployTiming = { ...DEFAULT_CODEDEPLOY_TIMING };

  readonly #apps = new Map<string, AppState>();
  readonly #groups = new Map<string, GroupState>(); // `${app}/${group}`
  readonly #deployments = new Map<string, DeploymentState>();
  readonly #failures: { taskDefinition?: string; failure: Required<DeploymentFailure> }[] = [];
  #seq = 0;

  constructor(readonly account: SimAccount) {}

  // ------------------------------------------------------------------------------ fixtures

  seed(fixture: CodeDeployFixture): void {
    for (const a of fixture.applications ?? []) {
      this.createApplication({ applicationName: a.name, computePlatform: 'ECS' });
      for (const g of a.deploymentGroups ?? []) {
        const where = `codedeploy fixture: deployment group ${g.name}`;
        const listener = (ref: ListenerRefFixture, role: string) => {
          const arn = this.account.elbv2.listenerArnOf(ref.loadBalancer, ref.port);
          if (!arn) throw new Error(`${where}: ${role} listener ${ref.loadBalancer}:${ref.port} does not exist in the simulated ELBv2`);
          return arn;
        };
        for (const tg of g.targetGroups) {
          if (!this.account.elbv2.targetGroupArnOf(tg)) throw new Error(`${where}: target group ${tg} does not exist in the simulated ELBv2`);
        }
        const ready = g.readyWait ?? { minutes: 0, actionOnTimeout: 'CONTINUE_DEPLOYMENT' as const };
        const rollback = g.autoRollback ?? true;
        this.createDeploymentGroup({
          applicationName: a.name,
          deploymentGroupName: g.name,
          deploymentConfigName: g.deploymentConfig,
          serviceRoleArn: g.serviceRoleArn ?? `arn:aws:iam::${this.account.accountId}:role/ecsCodeDeployRole`,
          deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
          ecsServices: [{ clusterName: g.service.cluster, serviceName: g.service.name }],
          autoRollbackConfiguration: { enabled: rollback, events: rollback ? ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] : [] },
          blueGreenDeploymentConfiguration: {
            terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: g.terminationWaitMinutes ?? 5 },
            deploymentReadyOption: { actionOnTimeout: ready.actionOnTimeout, waitTimeInMinutes: ready.minutes },
          },
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: g.targetGroups.map((name) => ({ name })),
                prodTrafficRoute: { listenerArns: [listener(g.prodListener, 'production')] },
                ...(g.testListener ? { testTrafficRoute: { listenerArns: [listener(g.testListener, 'test')] } } : {}),
              },
            ],
          },
        });
      }
    }
  }

  // ------------------------------------------------------------------------------ scenario API

  /**
   * Makes deployments of `taskDefinition` (ARN, `family:revision` or `family`; every deployment
   * when omitted) fail once production traffic reaches the replacement task set, as a CloudWatch
   * alarm would stop them. The latest matching mark wins.
   *
   * @example
   * account.codedeploy.failDeployments({ taskDefinition: 'messaging-api:2' }, { code: 'ALARM_ACTIVE', message: '...' });
   */
  failDeployments(match: { taskDefinition?: string } = {}, failure: DeploymentFailure = {}): void {
    this.#failures.push({
      taskDefinition: match.taskDefinition,
      failure: {
        code: failure.code ?? 'ALARM_ACTIVE',
        message:
          failure.message ??
          'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <5xx-errors>',
      },
    });
  }

  /** A deployment as a test sees it; throws if there is no such deployment. */
  deploymentState(id: string): CodeDeployDeploymentState {
    const d = this.#deployments.get(id);
    if (!d) throw new Error(`simulated CodeDeploy: no deployment ${id}`);
    return {
      id: d.id,
      status: d.status,
      creator: d.creator,
      taskDefinition: d.appSpec?.taskDefinition ?? '',
      ...(d.error ? { error: { ...d.error } } : {}),
      ...(d.rollbackInfo?.rollbackDeploymentId ? { rollbackDeploymentId: d.rollbackInfo.rollbackDeploymentId } : {}),
    };
  }

  /** Every deployment, oldest first. */
  allDeployments(): CodeDeployDeploymentState[] {
    return [...this.#deployments.values()].sort((a, b) => a.seq - b.seq).map((d) => this.deploymentState(d.id));
  }

  // ------------------------------------------------------------------------------ applications and groups

  createApplication(input: { applicationName?: string; computePlatform?: string }): Out<{ applicationId: string }> {
    const name = input.applicationName;
    if (!name) throw awsError(ApplicationNameRequiredException, 'The minimum number of required application names was not specified.');
    if (this.#apps.has(name)) throw awsError(ApplicationAlreadyExistsException, `The application ${name} already exists with the IAM user or AWS account.`);
    const app: AppState = { name, id: this.#uuid(), computePlatform: input.computePlatform ?? 'Server', createdAt: this.#now() };
    this.#apps.set(name, app);
    return { applicationId: app.id };
  }

  createDeploymentGroup(input: CreateDeploymentGroupInput): Out<{ deploymentGroupId: string }> {
    const app = this.#app(input.applicationName);
    const name = input.deploymentGroupName;
    if (!name) throw awsError(DeploymentGroupNameRequiredException, 'The deployment group name was not specified.');
    if (this.#groups.has(`${app.name}/${name}`)) throw awsError(DeploymentGroupAlreadyExistsException, `The deployment group ${name} already exists.`);
    const bg = input.blueGreenDeploymentConfiguration;
    const group: GroupState = {
      app,
      name,
      id: this.#uuid(),
      deploymentConfigName: this.#config(input.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce'),
      serviceRoleArn: input.serviceRoleArn ?? '',
      ecsServices: [],
      targetGroups: [],
      prodListenerArns: [],
      testListenerArns: [],
      termination: {
        action: bg?.terminateBlueInstancesOnDeploymentSuccess?.action ?? 'TERMINATE',
        waitMinutes: bg?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? 0,
      },
      ready: { actionOnTimeout: bg?.deploymentReadyOption?.actionOnTimeout ?? 'CONTINUE_DEPLOYMENT', waitMinutes: bg?.deploymentReadyOption?.waitTimeInMinutes ?? 0 },
      autoRollback: { enabled: input.autoRollbackConfiguration?.enabled ?? false, events: [...(input.autoRollbackConfiguration?.events ?? [])] },
    };
    this.#applyTargets(group, input);
    this.#groups.set(`${app.name}/${name}`, group);
    return { deploymentGroupId: group.id };
  }

  /** The fields of UpdateDeploymentGroup an ECS blue/green group has; others are ignored. */
  updateDeploymentGroup(input: UpdateDeploymentGroupInput): Out<{ hooksNotCleanedUp: [] }> {
    const group = this.#group(input.applicationName, input.currentDeploymentGroupName);
    if (input.deploymentConfigName !== undefined) group.deploymentConfigName = this.#config(input.deploymentConfigName);
    if (input.autoRollbackConfiguration) group.autoRollback = { enabled: input.autoRollbackConfiguration.enabled ?? false, events: [...(input.autoRollbackConfiguration.events ?? [])] };
    const bg = input.blueGreenDeploymentConfiguration;
    const termination = bg?.terminateBlueInstancesOnDeploymentSuccess;
    if (termination) group.termination = { action: termination.action ?? group.termination.action, waitMinutes: termination.terminationWaitTimeInMinutes ?? group.termination.waitMinutes };
    const ready = bg?.deploymentReadyOption;
    if (ready) group.ready = { actionOnTimeout: ready.actionOnTimeout ?? group.ready.actionOnTimeout, waitMinutes: ready.waitTimeInMinutes ?? group.ready.waitMinutes };
    this.#applyTargets(group, input);
    if (input.newDeploymentGroupName && input.newDeploymentGroupName !== group.name) {
      this.#groups.delete(`${group.app.name}/${group.name}`);
      group.name = input.newDeploymentGroupName;
      this.#groups.set(`${group.app.name}/${group.name}`, group);
    }
    return { hooksNotCleanedUp: [] };
  }

  deleteDeploymentGroup(input: { applicationName?: string; deploymentGroupName?: string }): Out<{ hooksNotCleanedUp: [] }> {
    const group = this.#group(input.applicationName, input.deploymentGroupName);
    this.#groups.delete(`${group.app.name}/${group.name}`);
    return { hooksNotCleanedUp: [] };
  }

  getDeploymentGroup(input: { applicationName?: string; deploymentGroupName?: string }): Out<{ deploymentGroupInfo: DeploymentGroupInfo }> {
    return { deploymentGroupInfo: this.#renderGroup(this.#group(input.applicationName, input.deploymentGroupName)) };
  }

  /** Application names, in creation order, 100 a page. */
  listApplications(input: { nextToken?: string }): Out<{ applications: string[]; nextToken?: string }> {
    const { items, next } = page([...this.#apps.values()], { size: PAGE, token: input.nextToken }, () =>
      awsError(InvalidNextTokenException, 'The next token was specified in an invalid format.'),
    );
    return { applications: items.map((a) => a.name), ...(next ? { nextToken: next } : {}) };
  }

  /** The deployment group names of one application, in creation order, 100 a page. */
  listDeploymentGroups(input: { applicationName?: string; nextToken?: string }): Out<{ applicationName: string; deploymentGroups: string[]; nextToken?: string }> {
    const app = this.#app(input.applicationName);
    const groups = [...this.#groups.values()].filter((g) => g.app === app);
    const { items, next } = page(groups, { size: PAGE, token: input.nextToken }, () => awsError(InvalidNextTokenException, 'The next token was specified in an invalid format.'));
    return { applicationName: app.name, deploymentGroups: items.map((g) => g.name), ...(next ? { nextToken: next } : {}) };
  }

  // ------------------------------------------------------------------------------ deployments

  createDeployment(input: CreateDeploymentInput): Out<{ deploymentId: string }> {
    const group = this.#group(input.applicationName, input.deploymentGroupName);
    const revision = input.revision;
    if (!revision) throw awsError(RevisionRequiredException, 'The revision ID was not specified.');
    const content = revision.revisionType === 'AppSpecContent' ? revision.appSpecContent?.content : revision.revisionType === 'String' ? revision.string?.content : undefined;
    if (content === undefined) throw awsError(InvalidRevisionException, 'The revision must be AppSpecContent (or String) with content for the ECS compute platform.');
    const sha = revision.revisionType === 'AppSpecContent' ? revision.appSpecContent?.sha256 : revision.string?.sha256;
    const actual = createHash('sha256').update(content).digest('hex');
    if (sha !== undefined && sha !== actual) throw awsError(InvalidRevisionException, 'The sha256 hash of the AppSpec content does not match the hash given.');
    const appSpec = parseAppSpec(content);
    const configName = this.#config(input.deploymentConfigName ?? group.deploymentConfigName);
    const running = this.#activeIn(group);
    if (running) throw awsError(DeploymentLimitExceededException, `The Deployment Group '${group.name}' already has an active Deployment '${running.id}'`);
    const d = this.#newDeployment(group, { creator: 'user', description: input.description, configName, sha256: actual, appSpec });
    this.#after(d, this.timing.startMs, () => this.#begin(d));
    return { deploymentId: d.id };
  }

  getDeployment(input: { deploymentId?: string }): Out<{ deploymentInfo: DeploymentInfo }> {
    return { deploymentInfo: this.#renderDeployment(this.#deployment(input.deploymentId)) };
  }

  listDeployments(input: ListDeploymentsInput): Out<{ deployments: string[]; nextToken?: string }> {
    let group: GroupState | undefined;
    if (input.applicationName !== undefined || input.deploymentGroupName !== undefined) {
      if (!input.applicationName) throw awsError(ApplicationNameRequiredException, 'The minimum number of required application names was not specified.');
      if (!input.deploymentGroupName) throw awsError(DeploymentGroupNameRequiredException, 'The deployment group name was not specified.');
      group = this.#group(input.applicationName, input.deploymentGroupName);
    }
    for (const s of input.includeOnlyStatuses ?? []) {
      if (!STATUSES.has(s)) throw awsError(InvalidDeploymentStatusException, `The deployment status ${s} is not valid.`);
    }
    const statuses = input.includeOnlyStatuses?.length ? new Set<string>(input.includeOnlyStatuses) : undefined;
    const from = input.createTimeRange?.start?.getTime() ?? -Infinity;
    const to = input.createTimeRange?.end?.getTime() ?? Infinity;
    const all = [...this.#deployments.values()]
      .filter((d) => (!group || d.group === group) && (!statuses || statuses.has(d.status)) && d.createdAt >= from && d.createdAt <= to)
      .sort((a, b) => b.seq - a.seq);
    const { items, next } = page(all, { size: PAGE, token: input.nextToken }, () =>
      awsError(InvalidNextTokenException, 'The next token was specified in an invalid format.'),
    );
    return { deployments: items.map((d) => d.id), ...(next ? { nextToken: next } : {}) };
  }

  stopDeployment(input: { deploymentId?: string; autoRollbackEnabled?: boolean }): Out<{ status: string; statusMessage: string }> {
    const d = this.#deployment(input.deploymentId);
    if (!ACTIVE.has(d.status)) throw awsError(DeploymentAlreadyCompletedException, `The deployment ${d.id} has already completed.`);
    const rollback = input.autoRollbackEnabled ?? (d.group.autoRollback.enabled && d.group.autoRollback.events.includes('DEPLOYMENT_STOP_ON_REQUEST'));
    this.#end(d, 'Stopped', { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' }, rollback);
    return { status: 'Succeeded', statusMessage: `Deployment ${d.id} has been stopped.` };
  }

  /** READY_WAIT reroutes traffic now; TERMINATION_WAIT ends the wait for the original task set. */
  continueDeployment(input: { deploymentId?: string; deploymentWaitType?: string }): Out<object> {
    const d = this.#deployment(input.deploymentId);
    if ((input.deploymentWaitType ?? 'READY_WAIT') === 'READY_WAIT') {
      if (d.status !== 'Ready') throw awsError(DeploymentIsNotInReadyStateException, `The deployment ${d.id} is not in the Ready state.`);
      d.gen += 1;
      this.#shift(d);
    } else if (d.terminationStarted && d.status === 'InProgress') {
      d.gen += 1;
      this.#terminate(d);
    }
    return {};
  }

  // ============================================================================================
  // The deployment's course

  #begin(d: DeploymentState): void {
    d.status = 'InProgress';
    d.startedAt = this.#now();
    const ref = d.group.ecsServices[0];
    const svc = ref && this.account.ecs.codeDeployService(ref.clusterName, ref.serviceName);
    if (!svc || svc.controller !== 'CODE_DEPLOY') {
      const what = ref ? `${ref.serviceName} in cluster ${ref.clusterName}` : '(none)';
      return this.#end(d, 'Failed', { code: 'INVALID_ECS_SERVICE', message: `The ECS service ${what} does not exist or does not use the CODE_DEPLOY deployment controller.` }, false);
    }
    const pair = d.group.targetGroups.map((name) => this.account.elbv2.targetGroupArnOf(name));
    const original = svc.taskSets[0];
    d.originalTaskSet = original?.id;
    d.originalTg = original?.targetGroupArns.find((arn) => pair.includes(arn));
    d.replacementTg = pair.find((arn) => arn && arn !== d.originalTg);
    if (!original || !d.originalTg || !d.replacementTg) {
      return this.#end(
        d,
        'Failed',
        { code: 'ELASTIC_LOAD_BALANCING_INVALID', message: `The primary task set of ECS service ${svc.arn} is not registered in either target group of the deployment group (${d.group.targetGroups.join(', ')}).` },
        false,
      );
    }
    for (const arn of d.group.testListenerArns) this.account.elbv2.shiftListener(arn, [{ arn: d.replacementTg, weight: 1 }]);
    const spec = d.appSpec!;
    try {
      d.replacementTaskSet = this.account.ecs.createTaskSet(ref.clusterName, ref.serviceName, {
        taskDefinition: spec.taskDefinition,
        loadBalancer: { targetGroupArn: d.replacementTg, containerName: spec.containerName, containerPort: spec.containerPort },
        network: spec.network,
        platformVersion: spec.platformVersion,
      });
    } catch (err) {
      return this.#end(d, 'Failed', { code: 'ECS_UPDATE_ERROR', message: `The ECS service cannot create the replacement task set: ${(err as Error).message}` }, false);
    }
    this.#after(d, this.timing.checkMs, () => this.#install(d));
  }

  /** Waits for the replacement task set to run healthy, then waits in Ready (if asked) and shifts traffic. */
  #install(d: DeploymentState): void {
    const ts = this.#taskSet(d, d.replacementTaskSet);
    if (!ts) return this.#end(d, 'Failed', { code: 'ECS_UPDATE_ERROR', message: 'The replacement task set no longer exists.' }, d.group.autoRollback.enabled);
    if (ts.failedTasks >= this.timing.failedTasksLimit) {
      return this.#end(
        d,
        'Failed',
        { code: 'ECS_UPDATE_ERROR', message: `The replacement task set did not reach a steady state: ${ts.failedTasks} tasks failed to start or failed their health checks.` },
        d.group.autoRollback.enabled && d.group.autoRollback.events.includes('DEPLOYMENT_FAILURE'),
      );
    }
    if (ts.ready < ts.desired) return this.#after(d, this.timing.checkMs, () => this.#install(d));
    const wait = d.group.ready.waitMinutes * 60_000;
    if (wait <= 0) return this.#shift(d);
    d.status = 'Ready';
    this.#after(d, wait, () => {
      if (d.group.ready.actionOnTimeout === 'CONTINUE_DEPLOYMENT') this.#shift(d);
      else this.#end(d, 'Stopped', { code: 'TIMEOUT', message: 'The deployment timed out while waiting for traffic to be rerouted.' }, d.group.autoRollback.enabled);
    });
  }

  /** One traffic step (all at once, the canary, or one linear increment). */
  #shift(d: DeploymentState): void {
    d.status = 'InProgress';
    const config = ECS_CONFIGS[d.configName];
    d.shifted = Math.min(100, config.type === 'Canary' && d.shifted > 0 ? 100 : d.shifted + config.percent);
    this.#route(d, d.shifted);
    d.failure ??= this.#failureFor(d);
    if (d.failure) {
      const f = d.failure;
      return this.#after(d, this.timing.checkMs, () => this.#end(d, 'Failed', f, d.group.autoRollback.enabled && d.group.autoRollback.events.includes('DEPLOYMENT_FAILURE')));
    }
    if (d.shifted < 100) return this.#after(d, config.intervalMinutes * 60_000, () => this.#shift(d));
    const ref = d.group.ecsServices[0];
    this.account.ecs.setPrimaryTaskSet(ref.clusterName, ref.serviceName, d.replacementTaskSet!);
    if (d.group.termination.action === 'KEEP_ALIVE') return this.#succeed(d);
    d.terminationStarted = true;
    this.#after(d, d.group.termination.waitMinutes * 60_000, () => this.#terminate(d));
  }

  #terminate(d: DeploymentState): void {
    const ref = d.group.ecsServices[0];
    if (d.originalTaskSet) this.account.ecs.deleteTaskSet(ref.clusterName, ref.serviceName, d.originalTaskSet);
    this.#succeed(d);
  }

  #succeed(d: DeploymentState): void {
    d.status = 'Succeeded';
    d.completedAt = this.#now();
    d.gen += 1;
    d.group.lastSuccessful = d;
  }

  /** Production traffic: `percent` on the replacement, the rest on the original target group. */
  #route(d: DeploymentState, percent: number): void {
    for (const arn of d.group.prodListenerArns) {
      this.account.elbv2.shiftListener(arn, [
        { arn: d.originalTg!, weight: 100 - percent },
        { arn: d.replacementTg!, weight: percent },
      ]);
    }
  }

  /**
   * Fails or stops a deployment: production goes back to the original task set, the replacement is
   * deleted, and with `rollback` a `codeDeployRollback` deployment records the rollback.
   */
  #end(d: DeploymentState, status: 'Failed' | 'Stopped', error: { code: string; message: string }, rollback: boolean): void {
    d.gen += 1;
    d.status = status;
    d.error = error;
    d.completedAt = this.#now();
    const ref = d.group.ecsServices[0];
    const svc = ref && this.account.ecs.codeDeployService(ref.clusterName, ref.serviceName);
    if (svc && d.replacementTaskSet) {
      if (d.originalTg && d.replacementTg) this.#route(d, 0);
      if (d.originalTaskSet && svc.taskSets.some((t) => t.id === d.originalTaskSet)) this.account.ecs.setPrimaryTaskSet(ref.clusterName, ref.serviceName, d.originalTaskSet);
      this.account.ecs.deleteTaskSet(ref.clusterName, ref.serviceName, d.replacementTaskSet);
    }
    if (!rollback || !d.replacementTaskSet) return;
    const back = this.#newDeployment(d.group, {
      creator: 'codeDeployRollback',
      configName: d.configName,
      sha256: d.group.lastSuccessful?.sha256,
      appSpec: d.group.lastSuccessful?.appSpec,
    });
    back.status = 'InProgress';
    back.startedAt = this.#now();
    back.rollbackInfo = { rollbackTriggeringDeploymentId: d.id, rollbackMessage: `Deployment ${back.id} is a rollback of deployment ${d.id}.` };
    d.rollbackInfo = { rollbackDeploymentId: back.id, rollbackMessage: `Deployment ${d.id} was rolled back by deployment ${back.id}.` };
    this.#after(back, this.timing.rollbackMs, () => this.#succeed(back));
  }

  #failureFor(d: DeploymentState): Required<DeploymentFailure> | undefined {
    const td = d.appSpec?.taskDefinition ?? '';
    const family = /task-definition\/([^:]+):(\d+)$/.exec(td);
    return this.#failures.findLast(
      (f) => f.taskDefinition === undefined || f.taskDefinition === td || (family && (f.taskDefinition === family[1] || f.taskDefinition === `${family[1]}:${family[2]}`)),
    )?.failure;
  }

  #taskSet(d: DeploymentState, id: string | undefined) {
    const ref = d.group.ecsServices[0];
    const svc = ref && this.account.ecs.codeDeployService(ref.clusterName, ref.serviceName);
    const ts = svc?.taskSets.find((t) => t.id === id);
    return ts && svc ? { ...ts, desired: svc.desiredCount } : undefined;
  }

  /** Schedules `fn` unless the deployment's course changes (it ends, or is continued) first. */
  #after(d: DeploymentState, ms: number, fn: () => void): void {
    const gen = d.gen;
    this.account.clock.schedule(ms, () => {
      if (d.gen === gen) fn();
    });
  }

  // ============================================================================================
  // Lookups

  #now(): number {
    return this.account.clock.now();
  }

  #app(name: string | undefined): AppState {
    if (!name) throw awsError(ApplicationNameRequiredException, 'The minimum number of required application names was not specified.');
    const app = this.#apps.get(name);
    if (!app) throw awsError(ApplicationDoesNotExistException, `No application found for name: ${name}`);
    return app;
  }

  #group(application: string | undefined, name: string | undefined): GroupState {
    const app = this.#app(application);
    if (!name) throw awsError(DeploymentGroupNameRequiredException, 'The deployment group name was not specified.');
    const group = this.#groups.get(`${app.name}/${name}`);
    if (!group) throw awsError(DeploymentGroupDoesNotExistException, `No Deployment Group found for name: ${name}`);
    return group;
  }

  #deployment(id: string | undefined): DeploymentState {
    if (!id) throw awsError(DeploymentIdRequiredException, 'At least one deployment ID must be specified.');
    if (!/^d-[A-Z0-9]{9}$/.test(id)) throw awsError(InvalidDeploymentIdException, `The deployment ID ${id} is not valid.`);
    const d = this.#deployments.get(id);
    if (!d) throw awsError(DeploymentDoesNotExistException, `The deployment ${id} could not be found.`);
    return d;
  }

  /** A UUID from the account's seeded random, so the same seed gives the same ids. */
  #uuid(): string {
    const h = this.account.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  #config(name: string): string {
    if (!ECS_CONFIGS[name]) throw awsError(DeploymentConfigDoesNotExistException, `No deployment configuration found for name: ${name}`);
    return name;
  }

  #activeIn(group: GroupState): DeploymentState | undefined {
    return [...this.#deployments.values()].find((d) => d.group === group && ACTIVE.has(d.status));
  }

  #newDeployment(group: GroupState, init: { creator: string; description?: string; configName: string; sha256?: string; appSpec?: AppSpec }): DeploymentState {
    let id: string;
    do id = `d-${upperAlnum(() => this.account.random(), 9)}`;
    while (this.#deployments.has(id));
    const d: DeploymentState = { id, seq: ++this.#seq, group, status: 'Created', ...init, createdAt: this.#now(), shifted: 0, terminationStarted: false, gen: 0 };
    this.#deployments.set(id, d);
    group.lastAttempted = d;
    return d;
  }

  #applyTargets(group: GroupState, input: CreateDeploymentGroupInput | UpdateDeploymentGroupInput): void {
    if (input.ecsServices) group.ecsServices = input.ecsServices.map((s) => ({ serviceName: s.serviceName ?? '', clusterName: s.clusterName ?? '' }));
    const pair = input.loadBalancerInfo?.targetGroupPairInfoList?.[0];
    if (pair) {
      group.targetGroups = (pair.targetGroups ?? []).map((t) => t.name ?? '');
      group.prodListenerArns = [...(pair.prodTrafficRoute?.listenerArns ?? [])];
      group.testListenerArns = [...(pair.testTrafficRoute?.listenerArns ?? [])];
    }
  }

  // ============================================================================================
  // Rendering (SDK output shapes)

  #renderGroup(g: GroupState): DeploymentGroupInfo {
    const last = (d: DeploymentState | undefined) =>
      d && {
        deploymentId: d.id,
        status: d.status as NonNullable<DeploymentInfo['status']>,
        createTime: new Date(d.createdAt),
        ...(d.completedAt !== undefined ? { endTime: new Date(d.completedAt) } : {}),
      };
    return {
      applicationName: g.app.name,
      deploymentGroupId: g.id,
      deploymentGroupName: g.name,
      deploymentConfigName: g.deploymentConfigName,
      ec2TagFilters: [],
      onPremisesInstanceTagFilters: [],
      autoScalingGroups: [],
      serviceRoleArn: g.serviceRoleArn,
      triggerConfigurations: [],
      alarmConfiguration: { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
      autoRollbackConfiguration: { enabled: g.autoRollback.enabled, events: g.autoRollback.events as AutoRollbackEvent[] },
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      outdatedInstancesStrategy: 'UPDATE',
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: { action: g.termination.action, terminationWaitTimeInMinutes: g.termination.waitMinutes },
        deploymentReadyOption: { actionOnTimeout: g.ready.actionOnTimeout, waitTimeInMinutes: g.ready.waitMinutes },
      },
      loadBalancerInfo: {
        targetGroupPairInfoList: g.targetGroups.length
          ? [
              {
                targetGroups: g.targetGroups.map((name) => ({ name })),
                prodTrafficRoute: { listenerArns: [...g.prodListenerArns] },
                testTrafficRoute: { listenerArns: [...g.testListenerArns] },
              },
            ]
          : [],
      },
      ...(g.lastAttempted ? { lastAttemptedDeployment: last(g.lastAttempted) } : {}),
      ...(g.lastSuccessful ? { lastSuccessfulDeployment: last(g.lastSuccessful) } : {}),
      computePlatform: g.app.computePlatform as DeploymentGroupInfo['computePlatform'],
      ecsServices: g.ecsServices.map((s) => ({ ...s })),
      terminationHookEnabled: false,
    };
  }

  #renderDeployment(d: DeploymentState): DeploymentInfo {
    const g = d.group;
    return Object.fromEntries(
      Object.entries({
        applicationName: g.app.name,
        deploymentGroupName: g.name,
        deploymentConfigName: d.configName,
        deploymentId: d.id,
        // CodeDeploy never returns the content, only its hash.
        revision: { revisionType: 'AppSpecContent', appSpecContent: d.sha256 ? { sha256: d.sha256 } : {} },
        status: d.status,
        errorInformation: d.error && { ...d.error },
        createTime: new Date(d.createdAt),
        startTime: d.startedAt !== undefined ? new Date(d.startedAt) : undefined,
        completeTime: d.completedAt !== undefined ? new Date(d.completedAt) : undefined,
        description: d.description,
        creator: d.creator,
        ignoreApplicationStopFailures: false,
        autoRollbackConfiguration: { enabled: g.autoRollback.enabled, events: [...g.autoRollback.events] as AutoRollbackEvent[] },
        updateOutdatedInstancesOnly: false,
        rollbackInfo: d.rollbackInfo && { ...d.rollbackInfo },
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        instanceTerminationWaitTimeStarted: d.terminationStarted,
        blueGreenDeploymentConfiguration: {
          terminateBlueInstancesOnDeploymentSuccess: { action: g.termination.action, terminationWaitTimeInMinutes: g.termination.waitMinutes },
          deploymentReadyOption: { actionOnTimeout: g.ready.actionOnTimeout, waitTimeInMinutes: g.ready.waitMinutes },
        },
        loadBalancerInfo: this.#renderGroup(g).loadBalancerInfo,
        deploymentStatusMessages: [],
        computePlatform: 'ECS',
      }).filter(([, v]) => v !== undefined),
    ) as DeploymentInfo;
  }
}

// ============================================================================================
// AppSpec

/**
 * Reads an ECS AppSpec (JSON or YAML): one `AWS::ECS::Service` TargetService with its
 * TaskDefinition and LoadBalancerInfo (ContainerName, ContainerPort), optionally PlatformVersion
 * and NetworkConfiguration.AwsvpcConfiguration.
 */
function parseAppSpec(content: string): AppSpec {
  const invalid = (why: string) => awsError(InvalidRevisionException, `The AppSpec content is not valid: ${why}`);
  let doc: any;
  try {
    doc = parseYaml(content, { maxAliasCount: 0 });
  } catch (err) {
    throw invalid((err as Error).message.split('\n')[0]);
  }
  const resources = doc?.Resources;
  if (!Array.isArray(resources) || resources.length !== 1) throw invalid('Resources must hold exactly one TargetService.');
  const target = resources[0]?.TargetService;
  if (target?.Type !== 'AWS::ECS::Service') throw invalid('TargetService.Type must be AWS::ECS::Service.');
  const p = target.Properties ?? {};
  if (typeof p.TaskDefinition !== 'string' || !p.TaskDefinition) throw invalid('TargetService.Properties.TaskDefinition is missing.');
  const lb = p.LoadBalancerInfo;
  if (typeof lb?.ContainerName !== 'string' || typeof lb?.ContainerPort !== 'number') throw invalid('LoadBalancerInfo needs ContainerName and ContainerPort.');
  const vpc = p.NetworkConfiguration?.AwsvpcConfiguration;
  return {
    taskDefinition: p.TaskDefinition,
    containerName: lb.ContainerName,
    containerPort: lb.ContainerPort,
    ...(vpc ? { network: { awsvpcConfiguration: { subnets: vpc.Subnets ?? [], securityGroups: vpc.SecurityGroups ?? [], assignPublicIp: vpc.AssignPublicIp ?? 'DISABLED' } } } : {}),
    ...(typeof p.PlatformVersion === 'string' ? { platformVersion: p.PlatformVersion } : {}),
  };
}
