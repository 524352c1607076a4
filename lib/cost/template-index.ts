/**
 * A read-only view of a deployment's synthesized CloudFormation templates for
 * the cost estimate: resources by type, and references (Ref, Fn::GetAtt,
 * Fn::ImportValue across stacks, Fn::Join) resolved to the resource they name.
 */

/** A resource of a synthesized template, as far as the estimate reads it. */
export interface CfnResource {
  /** The CloudFormation resource type, e.g. `AWS::EC2::Instance`. */
  readonly Type: string;
  /**
   * The resource's properties.
   * @default none (read as `{}`)
   */
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized template: its resources and its outputs (for Fn::ImportValue across stacks). */
export interface CfnTemplate {
  /**
   * The resources by logical ID.
   * @default none
   */
  readonly Resources?: Record<string, CfnResource>;
  /**
   * The outputs by name; the exported ones resolve other stacks' Fn::ImportValue.
   * @default none
   */
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** One stack's synthesized template. */
export interface StackTemplate {
  /** The stack's name, e.g. openclaw-example-prod-gateway. */
  readonly stackName: string;
  /** Its template. */
  readonly template: CfnTemplate;
}

/** A resource of the index: where it is, what it is, its properties. */
export interface Res {
  /** The name of the stack that holds it. */
  readonly stack: string;
  /** Its logical ID. */
  readonly id: string;
  /** Its CloudFormation resource type. */
  readonly type: string;
  /** Its properties (`{}` when it has none). */
  readonly props: Record<string, unknown>;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** `stack/logicalId`, how the report names a resource. */
export const refName = (r: Res) => `${r.stack}/${r.id}`;

export class TemplateIndex {
  readonly resources: readonly Res[];
  private readonly byStack = new Map<string, Map<string, Res>>();
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(templates: readonly StackTemplate[]) {
    const all: Res[] = [];
    for (const { stackName, template } of templates) {
      const resources = new Map<string, Res>();
      for (const [id, r] of Object.entries(template.Resources ?? {})) {
        const res: Res = { stack: stackName, id, type: r.Type, props: obj(r.Properties) };
        resources.set(id, res);
        all.push(res);
      }
      this.byStack.set(stackName, resources);
      for (const output of Object.values(template.Outputs ?? {})) {
        const name = str(output.Export?.Name);
        if (name) this.exports.set(name, { stack: stackName, value: output.Value });
      }
    }
    this.resources = all;
  }

  ofType(type: string): Res[] {
    return this.resources.filter((r) => r.type === type);
  }

  get(stack: string, id: string): Res | undefined {
    return this.byStack.get(stack)?.get(id);
  }

  /**
   * The resource a value points at, in the stack it appears in: Ref,
   * Fn::GetAtt, Fn::ImportValue (through the other stacks' exports) and the
   * first resolvable part of an Fn::Join. Undefined for anything else.
   */
  resolve(value: unknown, stack: string, depth = 0): Res | undefined {
    if (!isObj(value) || depth > 8) return undefined;
    const ref = str(value.Ref);
    if (ref) return this.get(stack, ref);
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const id = Array.isArray(getAtt) ? str(getAtt[0]) : str(getAtt)?.split('.')[0];
      return id ? this.get(stack, id) : undefined;
    }
    const importName = str(value['Fn::ImportValue']);
    if (importName) {
      const exported = this.exports.get(importName);
      return exported ? this.resolve(exported.value, exported.stack, depth + 1) : undefined;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join)) {
      for (const part of arr(join[1])) {
        const r = this.resolve(part, stack, depth + 1);
        if (r) return r;
      }
    }
    return undefined;
  }

  /** Whether a value refers to `target` (directly or through an export). */
  refersTo(value: unknown, stack: string, target: Res): boolean {
    const r = this.resolve(value, stack);
    return r !== undefined && r.stack === target.stack && r.id === target.id;
  }

  /** The literal string parts of a value (a plain string or the strings inside an Fn::Join). */
  static literals(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (isObj(value) && Array.isArray(value['Fn::Join'])) return arr(arr(value['Fn::Join'])[1]).flatMap((p) => TemplateIndex.literals(p));
    return [];
  }
}
