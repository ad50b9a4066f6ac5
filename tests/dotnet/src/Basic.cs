// Basic.cs - fixture program for the jit-unpack tests: tiny and fat method
// bodies, locals, branches and switch, exception handlers (catch, finally,
// filter, nested, and one try block long enough for a fat EH section),
// identical methods (their stubs share a body once packed), a type
// initializer, generics, virtual and interface calls, a lambda, and an
// ordinary embedded resource (notes.txt) that unpacking must keep working.  Its output
// is deterministic: the tests compare it byte for byte.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

interface IShape { double Area(); string Name { get; } }

abstract class Shape : IShape {
    public abstract double Area();
    public virtual string Name { get { return "shape"; } }
}

sealed class Rect : Shape {
    readonly double w, h;
    public Rect(double w, double h) { this.w = w; this.h = h; }
    public override double Area() { return w * h; }
    public override string Name { get { return "rect"; } }
}

sealed class Circle : Shape {
    readonly double r;
    public Circle(double r) { this.r = r; }
    public override double Area() { return 3.0 * r * r; }
}

struct Pair<T> {
    public T A, B;
    public Pair(T a, T b) { A = a; B = b; }
    public T First() { return A; }
}

static class Table {
    static readonly int[] squares;
    static Table() {
        squares = new int[8];
        for (int i = 0; i < squares.Length; i++) squares[i] = i * i;
    }
    public static int Square(int i) { return squares[i & 7]; }
}

static class Program {
    // identical code: once stubbed, these share one body
    static int Inc(int x) { return x + 1; }
    static int Dec(int x) { return x - 1; }
    static int Twice(int x) { return x * 2; }
    static int Half(int x) { return x / 2; }

    // identical fat bodies: same locals, same size
    static int SumTo(int n) {
        int s = 0;
        for (int i = 1; i <= n; i++) s += i;
        return s;
    }
    static int ProdTo(int n) {
        int s = 1;
        for (int i = 1; i <= n; i++) s *= i;
        return s;
    }

    static string Classify(int n) {
        switch (n % 5) {
        case 0: return "zero";
        case 1: return "one";
        case 2: return "two";
        case 3: return "three";
        default: return "many";
        }
    }

    static int Divide(int a, int b) {
        try {
            return a / b;
        } catch (DivideByZeroException) {
            Console.WriteLine("caught: divide by zero");
            return -1;
        } finally {
            Console.WriteLine("finally: " + a + "/" + b);
        }
    }

    static int Filtered(int code) {
        try {
            throw new InvalidOperationException("code " + code);
        } catch (InvalidOperationException e) when (code > 10) {
            Console.WriteLine("filter took: " + e.Message);
            return 1;
        } catch (InvalidOperationException) {
            Console.WriteLine("filter passed on " + code);
            return 0;
        }
    }

    static string Nested(string s) {
        var sb = new StringBuilder();
        try {
            try {
                sb.Append(s.Length);
                sb.Append(':');
                sb.Append(s.ToUpperInvariant());
            } finally {
                sb.Append(";inner");
            }
        } catch (NullReferenceException) {
            sb.Append("null");
        }
        return sb.ToString();
    }

    // a try block longer than 255 bytes of IL: its EH section is fat
    static int LongTry(int seed) {
        int acc = seed;
        try {
            acc = acc * 31 + 1; Console.Write(acc % 10);
            acc = acc * 31 + 2; Console.Write(acc % 10);
            acc = acc * 31 + 3; Console.Write(acc % 10);
            acc = acc * 31 + 4; Console.Write(acc % 10);
            acc = acc * 31 + 5; Console.Write(acc % 10);
            acc = acc * 31 + 6; Console.Write(acc % 10);
            acc = acc * 31 + 7; Console.Write(acc % 10);
            acc = acc * 31 + 8; Console.Write(acc % 10);
            acc = acc * 31 + 9; Console.Write(acc % 10);
            acc = acc * 31 + 10; Console.Write(acc % 10);
            acc = acc * 31 + 11; Console.Write(acc % 10);
            acc = acc * 31 + 12; Console.Write(acc % 10);
            acc = acc * 31 + 13; Console.Write(acc % 10);
            acc = acc * 31 + 14; Console.Write(acc % 10);
            acc = acc * 31 + 15; Console.Write(acc % 10);
            acc = acc * 31 + 16; Console.Write(acc % 10);
            acc = acc * 31 + 17; Console.Write(acc % 10);
            acc = acc * 31 + 18; Console.Write(acc % 10);
            acc = acc * 31 + 19; Console.Write(acc % 10);
            acc = acc * 31 + 20; Console.Write(acc % 10);
            acc = acc * 31 + 21; Console.Write(acc % 10);
            acc = acc * 31 + 22; Console.Write(acc % 10);
            acc = acc * 31 + 23; Console.Write(acc % 10);
            acc = acc * 31 + 24; Console.Write(acc % 10);
            acc = checked(acc * 1000003);
        } catch (OverflowException) {
            Console.Write(" overflow");
        }
        Console.WriteLine();
        return acc & 0xffff;
    }

    static T Max<T>(T a, T b) where T : IComparable<T> {
        return a.CompareTo(b) >= 0 ? a : b;
    }

    static int CountIf(List<int> xs, Func<int, bool> pred) {
        int n = 0;
        foreach (int x in xs)
            if (pred(x)) n++;
        return n;
    }

    static void Main(string[] args) {
        Console.WriteLine("inc/dec/twice/half: {0} {1} {2} {3}", Inc(41), Dec(43), Twice(21), Half(84));
        Console.WriteLine("sum/prod: {0} {1}", SumTo(10), ProdTo(6));
        for (int i = 0; i < 6; i++) Console.Write(Classify(i) + " ");
        Console.WriteLine();
        Console.WriteLine("divide: {0}", Divide(7, 2));
        Console.WriteLine("divide: {0}", Divide(7, 0));
        Console.WriteLine("filtered: {0} {1}", Filtered(3), Filtered(30));
        Console.WriteLine("nested: {0} {1}", Nested("abc"), Nested(null));
        Console.WriteLine("longtry: {0}", LongTry(7));
        Console.WriteLine("max: {0} {1}", Max(3, 9), Max("pear", "apple"));
        var shapes = new List<IShape> { new Rect(2, 3), new Circle(1.5) };
        foreach (var s in shapes) Console.WriteLine("{0} {1:F2}", s.Name, s.Area());
        var p = new Pair<int>(5, 6);
        Console.WriteLine("pair: {0} square: {1}", p.First(), Table.Square(5));
        var xs = new List<int> { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        int limit = 4;
        Console.WriteLine("count > {0}: {1}", limit, CountIf(xs, x => x > limit));
        Console.Write(Notes());
    }

    static string Notes() {
        using (var s = typeof(Program).Assembly.GetManifestResourceStream("notes.txt"))
        using (var r = new StreamReader(s))
            return r.ReadToEnd();
    }
}
