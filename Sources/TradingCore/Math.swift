/// The maths of kernel-side code. exp, log and cos are `PortableMath` (fdlibm's published algorithms in pure
/// Swift), not the platform's libm, so a seed gives the same simulator events on every platform.
public enum Math {
    @inlinable public static func log(_ x: Double) -> Double { PortableMath.log(x) }
    @inlinable public static func exp(_ x: Double) -> Double { PortableMath.exp(x) }
    @inlinable public static func cos(_ x: Double) -> Double { PortableMath.cos(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}
