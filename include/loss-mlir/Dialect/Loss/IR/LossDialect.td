//===- LossDialect.td - Loss dialect definition ------------*- tablegen -*-===//
#ifndef LOSS_DIALECT_TD
#define LOSS_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loss_Dialect : Dialect {
  let name = "loss";
  let cppNamespace = "::mlir::loss";
  let summary = "Loss functions of torch.nn as first-class ops";
  let description = [{
    The `loss` dialect has one op per loss function of PyTorch's `torch.nn`,
    plus `log_softmax`. Every op follows PyTorch 1.13's semantics to the
    letter, and its attributes carry PyTorch's keyword names and defaults
    (`reduction`, `ignore_index`, `label_smoothing`, `margin`, ...). Default
    values are elided when printing.

    Ops work on ranked tensors of `f16`, `bf16`, `f32` or `f64`; class
    targets are signless integers of any width. A `none` reduction returns the
    per-element (or per-sample) loss; `sum` and `mean` return a 0-d tensor.
    Results keep the element type of the input; `f16`/`bf16` computations
    accumulate in `f32` when lowered. Where PyTorch promotes an integer
    target to the input's type (`l1`, `mse`, `smooth_l1`, `huber`,
    `poisson_nll`, `gaussian_nll`, `margin_ranking`, `hinge_embedding`,
    `soft_margin`, `multilabel_soft_margin`, `cosine_embedding`) it may be a
    signless integer of any width (`i1` as 0/1 where PyTorch takes bool). A
    float operand has the input's element type: PyTorch's promotion between
    float types (and integer inputs) is left to the frontend, which inserts
    the cast. Each op lists the shapes it accepts, those PyTorch 1.13
    accepts, broadcasting included; a dynamic dimension never broadcasts (it
    must equal the other operands' at run time, which compiled code checks).

    Result types follow from the operands and `reduction`
    (`InferTypeOpInterface`): builders may leave them out, and written ones
    must agree with the inferred ones on the element type and on every
    dimension where both are static. A dynamic result dimension reifies
    (`ReifyRankedShapedTypeOpInterface`) as the operand dimension it equals,
    so `tensor.dim` of a `none` loss or of a gradient resolves without
    lowering the op.
  }];
  let useDefaultAttributePrinterParser = 1;
  // The reified result dims of the ops are tensor.dim of their operands.
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Reduction
//===----------------------------------------------------------------------===//

def Loss_Reduction : I32EnumAttr<"Reduction", "how per-element losses are reduced", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"sum", 1>,
    I32EnumAttrCase<"mean", 2>,
    I32EnumAttrCase<"batchmean", 3>]> {
  let cppNamespace = "::mlir::loss";
  let genSpecializedAttr = 0;
}

def Loss_ReductionAttr : EnumAttr<Loss_Dialect, Loss_Reduction, "reduction"> {
  let assemblyFormat = "`<` $value `>`";
  let description = [{
    PyTorch's `reduction` keyword: `none` keeps the per-element loss, `sum`
    adds it, `mean` divides the sum by the op's normaliser (see each op), and
    `batchmean` (only for `loss.kl_div`) divides the sum by the batch size.
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

// Signed view of an i64 attribute (upstream's I64Attr returns uint64_t).
def Loss_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                               "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

def Loss_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def Loss_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Loss_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
def Loss_IntOrFloatTensor : RankedTensorOf<[AnySignlessInteger, F16, BF16, F32, F64]>;

class Loss_Op<string mnemonic, list<Trait> traits = []>
    : Op<Loss_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// An op whose result types follow from its operands and attributes: one
// rule per op (InferTypes.cpp) that the builders without result types, the
// verifier and ReifyRankedShapedTypeOpInterface (a dynamic result dimension
// as the operand dimension it comes from) share. Explicit result types in
// the assembly are compatible with the inferred ones where they agree on the
// element type and, dimension by dimension, where both are static.
class Loss_InferredOp<string mnemonic, list<Trait> traits = []>
    : Loss_Op<mnemonic, !listconcat(traits, [
        InferTypeOpAdaptorWithIsCompatible,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>])>;

// Attribute constraints: the verifier checks them and the generated op docs
// show them.
def Loss_NotBatchmean : AttrConstraint<
    CPred<"::llvm::cast<::mlir::loss::ReductionAttr>($_self).getValue() != "
          "::mlir::loss::Reduction::batchmean">,
    "except batchmean (only kl_div takes it)">;
def Loss_NonNegativeF64 : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() >= 0.0">,
    "whose value is non-negative">;
def Loss_PositiveF64 : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() > 0.0">,
    "whose value is positive">;
def Loss_UnitF64 : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() >= 0.0 "
          "&& ::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() <= 1.0">,
    "whose value is in [0, 1]">;
def Loss_OneOrTwo : AttrConstraint<
    CPred<"::llvm::cast<::mlir::IntegerAttr>($_self).getInt() == 1 || "
          "::llvm::cast<::mlir::IntegerAttr>($_self).getInt() == 2">,
    "whose value is 1 or 2">;

// `reduction = mean` by default; `batchmean` only where PyTorch takes it.
def Loss_DefaultReduction
    : DefaultValuedAttr<ConfinedAttr<Loss_ReductionAttr, [Loss_NotBatchmean]>,
                        "::mlir::loss::Reduction::mean">;
def Loss_KlDivReduction
    : DefaultValuedAttr<Loss_ReductionAttr, "::mlir::loss::Reduction::mean">;

class Loss_NonNegativeF64Attr<string default>
    : DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_NonNegativeF64]>, default>;
class Loss_PositiveF64Attr<string default>
    : DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_PositiveF64]>, default>;

#endif // LOSS_DIALECT_TD
