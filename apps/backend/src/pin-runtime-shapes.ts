// Loaded first of all (main.ts's first import), before the modules' loading can run a major GC:
// see lifecycle/tick-object-shape.ts.
import { pinTickObjectShape } from './lifecycle/tick-object-shape';

pinTickObjectShape();
