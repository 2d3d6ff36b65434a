//! Spanish starter lexicon (accents are folded before lookup). Structure complete; coverage
//! is a starting point for a native speaker to extend.

use super::*;

/// Concepts and the words (space-separated) that carry them: one string per group keeps the
/// widget's wasm small (a table of pairs costs 12 bytes a word).
pub(super) const WORDS: &[(Concepts, &str)] = &[
    (CONTACT, "hablar hable comunicarme contactar llamar"),
    (CONTACT, "chatear conectar pasar"),
    (DESIRE, "quiero quisiera"),
    (DESIRE | NECESSITY, "necesito"),
    (DESIRE, "dame pasame ponme prefiero"),
    (HUMAN, "persona humano humana agente representante"),
    (HUMAN, "operador operadora alguien asesor asesora"),
    (HUMAN, "encargado gerente"),
    (REAL, "real vivo"),
    (LINK, "con a"),
    (NEGATOR, "no nunca sin tampoco"),
    (KNOW, "se saber entiendo como"),
    (ABILITY, "puedo puede"),
    (NECESSITY, "tengo"),
    (NECESSITY | AUX, "debo"),
    (NECESSITY, "hace falta"),
    (CONDITIONAL, "si"),
    (REFUND, "reembolso reembolsar devolucion devuelvan"),
    (REFUND, "reclamo contracargo"),
    (PAYMENT, "cobro cobraron cargo pago factura tarjeta"),
    (PAYMENT, "dinero"),
    (PROBLEM, "doble dos veces error problema incorrecto"),
    (PROBLEM, "rechazado fraude"),
    (CANCEL, "cancelar cancelacion eliminar borrar cerrar baja"),
    (CANCEL, "darme dar"),
    (ACCOUNT, "cuenta suscripcion membresia plan contrato"),
    (ACCOUNT, "perfil"),
    (MAILING, "boletin correos"),
    (POLICY, "politica"),
    (ORDER, "pedido compra"),
    (LEGAL, "abogado abogados demanda"),
    (SUE, "demandar"),
    (LEGAL, "rgpd tribunal juicio denuncia legal ilegal"),
];
