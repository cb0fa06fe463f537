/** A group's swarm member as the Groups page names it: `service api (e2) 2/2` (running of desired). */
export function swarmMemberLabel(s: { name: string; engine: string; replicas: { desired: number; running: number } }): string {
  return `service ${s.name} (${s.engine}) ${s.replicas.running}/${s.replicas.desired}`;
}

/** Whether the service runs every task it should (and should run one): how the page colours it. */
export function swarmMemberUp(s: { replicas: { desired: number; running: number } }): boolean {
  return s.replicas.desired > 0 && s.replicas.running >= s.replicas.desired;
}
