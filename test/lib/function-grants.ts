import type { Template } from 'aws-cdk-lib/assertions';

/** What a Lambda function's role is allowed to do, read from a synthesized template. */
export interface FunctionGrants {
  /** Logical id of the function's role. */
  readonly role: string;
  /** Every allowed action, sorted; an attached AWS-managed policy shows as `managed-policy:<name>`. */
  readonly actions: string[];
  /**
   * Per action, the sorted resources it is allowed on. `Ref` and `Fn::GetAtt`
   * (`Arn`) resolve to the logical id, `Fn::Join` to the joined text, pseudo
   * parameters to `${AWS::Partition}` and the like.
   */
  readonly resources: Record<string, string[]>;
  /**
   * Per action allowed only under a condition, that condition, its values
   * resolved as resources are. Absent when no statement has a condition.
   */
  readonly conditions?: Record<string, Record<string, Record<string, string | string[]>>>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
interface Statement {
  readonly Effect?: Json;
  readonly Action?: Json;
  readonly Resource?: Json;
  readonly [key: string]: Json | undefined;
}

/**
 * The exact grants of the role of the one function whose `Description` is
 * `description`: the statements of every `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` that lists the role, its inline `Policies`, and
 * its `ManagedPolicyArns`. A `Condition` is reported per action; anything it
 * cannot read exactly (a Deny, `NotAction`, `NotResource`, an action granted
 * both with and without a condition, or under two conditions, an unknown
 * intrinsic) throws rather than be reported loosely.
 */
export function functionGrants(template: Template, description: string): FunctionGrants {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === description);
  if (functions.length !== 1) throw new Error(`functionGrants: expected one function described '${description}', found ${functions.length}`);
  const [functionId, fn] = functions[0] as [string, Resource];
  const role = roleIdOf(fn.Properties?.Role);
  if (role === undefined || resources[role]?.Type !== 'AWS::IAM::Role') throw new Error(`functionGrants: ${functionId} does not use a role of this template`);
  return roleGrants(template, role);
}

/**
 * The exact grants of the role with logical id `role`, read as functionGrants
 * reads a function's (for roles other services assume, such as a schedule's).
 */
export function roleGrants(template: Template, role: string): FunctionGrants {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  if (resources[role]?.Type !== 'AWS::IAM::Role') throw new Error(`roleGrants: ${role} is not a role of this template`);
  const statements: Array<{ source: string; statement: Statement }> = [];
  const addDocument = (source: string, document: Json | undefined) => {
    for (const statement of asArray(objectAt(document, 'Statement'))) statements.push({ source, statement: statement as Statement });
  };
  const attachedTo = (r: Resource) => asArray(r.Properties?.Roles).some((ref) => refOf(ref) === role);

  const roleProps = resources[role]?.Properties ?? {};
  for (const [i, policy] of asArray(roleProps.Policies).entries()) addDocument(`${role}.Policies[${i}]`, objectAt(policy, 'PolicyDocument'));
  const managed: string[] = [];
  for (const arn of asArray(roleProps.ManagedPolicyArns)) {
    const ref = refOf(arn);
    if (ref !== undefined && resources[ref]?.Type === 'AWS::IAM::ManagedPolicy') addDocument(ref, resources[ref]?.Properties?.PolicyDocument);
    else managed.push(resolve(arn, role));
  }
  for (const [id, r] of Object.entries(resources)) {
    if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && attachedTo(r)) addDocument(id, r.Properties?.PolicyDocument);
  }

  const byAction = new Map<string, Set<string>>();
  /** The condition each action was granted under, as JSON ('' for none), to refuse mixing. */
  const conditionOf = new Map<string, string>();
  const allow = (action: string, resource: string) => byAction.set(action, (byAction.get(action) ?? new Set()).add(resource));
  for (const arn of managed) allow(`managed-policy:${arn.replace(/^.*:policy\//, '')}`, arn);
  for (const { source, statement } of statements) {
    const unsupported = Object.keys(statement).filter((key) => !['Effect', 'Action', 'Resource', 'Sid', 'Condition'].includes(key));
    if (statement.Effect !== 'Allow' || unsupported.length > 0 || statement.Action === undefined || statement.Resource === undefined) {
      throw new Error(`functionGrants: ${source} has a statement this helper does not model: ${JSON.stringify(statement)}`);
    }
    const condition = statement.Condition === undefined ? '' : JSON.stringify(resolveCondition(statement.Condition, source));
    for (const action of asArray(statement.Action).map((a) => resolve(a, source))) {
      const earlier = conditionOf.get(action);
      if (earlier !== undefined && earlier !== condition) {
        throw new Error(`functionGrants: ${source} grants ${action} under another condition than before, which this helper does not model`);
      }
      conditionOf.set(action, condition);
      for (const resource of asArray(statement.Resource)) allow(action, resolve(resource, source));
    }
  }
  const actions = [...byAction.keys()].sort();
  const conditioned = actions.filter((action) => (conditionOf.get(action) ?? '') !== '');
  return {
    role,
    actions,
    resources: Object.fromEntries(actions.map((action) => [action, [...(byAction.get(action) ?? [])].sort()])),
    ...(conditioned.length === 0 ? {} : { conditions: Object.fromEntries(conditioned.map((action) => [action, JSON.parse(conditionOf.get(action) ?? '{}')])) }),
  };
}

/** A statement's `Condition` (operator → key → value or values) with every value resolved. */
function resolveCondition(condition: Json, source: string): Record<string, Record<string, string | string[]>> {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new Error(`functionGrants: ${source} has a condition this helper does not model: ${JSON.stringify(condition)}`);
  }
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => {
      if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
        throw new Error(`functionGrants: ${source} has a condition this helper does not model: ${JSON.stringify(condition)}`);
      }
      return [
        operator,
        Object.fromEntries(
          Object.entries(keys).map(([key, value]) => [key, Array.isArray(value) ? value.map((v) => resolve(v, source)) : resolve(value, source)]),
        ),
      ];
    }),
  );
}

/** The secrets a role can touch at all: the resources of every `secretsmanager:` action. */
export function secretsOf(grants: FunctionGrants): string[] {
  const secrets = Object.entries(grants.resources).flatMap(([action, resources]) => (action.startsWith('secretsmanager:') ? resources : []));
  return [...new Set(secrets)].sort();
}

function resolve(value: Json, source: string): string {
  if (typeof value === 'string') return value;
  const ref = refOf(value);
  if (ref !== undefined) return ref.startsWith('AWS::') ? `\${${ref}}` : ref;
  const getAtt = objectAt(value, 'Fn::GetAtt');
  if (Array.isArray(getAtt) && getAtt.length === 2 && typeof getAtt[0] === 'string')
    return getAtt[1] === 'Arn' ? getAtt[0] : `${getAtt[0]}.${String(getAtt[1])}`;
  const join = objectAt(value, 'Fn::Join');
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map((part) => resolve(part, source)).join(join[0]);
  throw new Error(`functionGrants: ${source} uses a value this helper does not resolve: ${JSON.stringify(value)}`);
}

export function roleIdOf(value: Json | undefined): string | undefined {
  const getAtt = objectAt(value, 'Fn::GetAtt');
  return Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function refOf(value: Json | undefined): string | undefined {
  const ref = objectAt(value, 'Ref');
  return typeof ref === 'string' ? ref : undefined;
}

function objectAt(value: Json | undefined, key: string): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
}

function asArray(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
