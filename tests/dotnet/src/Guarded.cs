// Guarded.cs - the program the .NET Reactor fixture (reactorpack.py)
// protects: tiny and fat bodies, locals, a loop and a switch, exception
// handlers (catch, finally, nested), a static field with a type initializer,
// an instance method.  Its output is deterministic.
using System;

class Counter {
    int n;
    public void Add(int k) { n += k; }
    public int Value() { return n; }
}

static class Program {
    static int seed = 7;
    static int Tiny(int x) { return x + seed; }
    static long Fat(int a, int b) {
        long s = 0;
        for (int i = 0; i < a; i++) s += (long)i * b + (i ^ b);
        return s;
    }
    static string Kind(int k) {
        switch (k) {
        case 0: return "zero";
        case 1: return "one";
        case 2: return "two";
        default: return "many";
        }
    }
    static int Guard(int d) {
        int r = 0;
        try {
            try { r = 100 / d; }
            finally { r += 1; }
        } catch (DivideByZeroException) { r = -1; }
        return r;
    }
    static void Main() {
        Console.WriteLine("tiny " + Tiny(5));
        Console.WriteLine("fat " + Fat(40, 3));
        for (int k = 0; k < 4; k++) Console.WriteLine("kind " + Kind(k));
        Console.WriteLine("guard " + Guard(4) + " " + Guard(0));
        Counter c = new Counter();
        for (int i = 1; i <= 10; i++) c.Add(i);
        Console.WriteLine("counter " + c.Value());
    }
}
