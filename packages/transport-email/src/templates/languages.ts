/**
 * Built-in words for mails that read like ordinary correspondence, per language: short subjects and bodies about
 * a document sent along, and the words files are commonly named with. `{date}`, `{weekday}`, `{file}` and
 * `{sender}` are filled in per mail (mail-disguise.ts). Operators replace any of these with their own
 * (`camouflage.subjects`, `bodies`, `attachmentNames`): a team's real correspondence is the best model.
 */
export interface LanguageTemplates {
  /** BCP 47 tag the client declares in Content-Language. */
  readonly tag: string;
  readonly subjects: readonly string[];
  readonly bodies: readonly string[];
  /** Words files are named with (`report_2026-12-03.pdf`). */
  readonly fileWords: readonly string[];
}

export const LANGUAGES = {
  en: {
    tag: 'en-US',
    subjects: ['Documents for {weekday}', 'Re: files', 'Notes from {date}', 'The scan you asked for', 'Updated version', 'Fwd: paperwork', 'Photos', 'Quick question about the attachment'],
    bodies: [
      'Hi,\n\nplease find the file attached.\n\nBest,\n{sender}',
      'Hello,\n\nhere is the updated version ({file}). Let me know if anything is missing.\n\nThanks\n{sender}',
      'Hi,\n\nas promised, the notes from {date}.\n\nCheers,\n{sender}',
      'Attached.\n\n{sender}',
      'Hi,\n\nsorry for the delay, the scan is attached.\n\nKind regards\n{sender}',
    ],
    fileWords: ['report', 'notes', 'invoice', 'minutes', 'scan', 'document', 'summary', 'draft'],
  },
  de: {
    tag: 'de-DE',
    subjects: ['Unterlagen für {weekday}', 'AW: Dateien', 'Notizen vom {date}', 'Der Scan', 'Aktualisierte Version', 'WG: Unterlagen', 'Fotos', 'Kurze Frage zum Anhang'],
    bodies: [
      'Hallo,\n\nanbei die Datei.\n\nViele Grüße\n{sender}',
      'Hallo,\n\nhier die aktualisierte Version ({file}). Sag Bescheid, falls etwas fehlt.\n\nDanke\n{sender}',
      'Hi,\n\nwie versprochen die Notizen vom {date}.\n\nLG\n{sender}',
      'Anbei.\n\n{sender}',
      'Hallo,\n\nsorry für die Verspätung, der Scan ist im Anhang.\n\nMit freundlichen Grüßen\n{sender}',
    ],
    fileWords: ['Bericht', 'Notizen', 'Rechnung', 'Protokoll', 'Scan', 'Dokument', 'Entwurf', 'Unterlagen'],
  },
  fr: {
    tag: 'fr-FR',
    subjects: ['Documents pour {weekday}', 'RE: fichiers', 'Notes du {date}', 'Le scan demandé', 'Version mise à jour', 'TR: papiers', 'Photos', 'Petite question sur la pièce jointe'],
    bodies: [
      'Bonjour,\n\nvous trouverez le fichier en pièce jointe.\n\nCordialement,\n{sender}',
      'Salut,\n\nvoici la version mise à jour ({file}). Dis-moi s\'il manque quelque chose.\n\nMerci\n{sender}',
      'Bonjour,\n\ncomme promis, les notes du {date}.\n\nBonne journée,\n{sender}',
      'Ci-joint.\n\n{sender}',
      'Bonjour,\n\ndésolé pour le retard, le scan est en pièce jointe.\n\nBien à vous\n{sender}',
    ],
    fileWords: ['rapport', 'notes', 'facture', 'compte-rendu', 'scan', 'document', 'brouillon', 'resume'],
  },
  es: {
    tag: 'es-ES',
    subjects: ['Documentos para el {weekday}', 'RE: archivos', 'Notas del {date}', 'El escaneo que pediste', 'Versión actualizada', 'RV: papeles', 'Fotos', 'Pregunta sobre el adjunto'],
    bodies: [
      'Hola,\n\nte adjunto el archivo.\n\nSaludos,\n{sender}',
      'Hola,\n\naquí va la versión actualizada ({file}). Avísame si falta algo.\n\nGracias\n{sender}',
      'Hola,\n\ncomo te dije, las notas del {date}.\n\nUn abrazo,\n{sender}',
      'Adjunto.\n\n{sender}',
      'Hola,\n\nperdona el retraso, el escaneo va adjunto.\n\nUn saludo\n{sender}',
    ],
    fileWords: ['informe', 'notas', 'factura', 'acta', 'escaneo', 'documento', 'borrador', 'resumen'],
  },
  pt: {
    tag: 'pt-BR',
    subjects: ['Documentos para {weekday}', 'RE: arquivos', 'Notas de {date}', 'O scan que você pediu', 'Versão atualizada', 'ENC: papéis', 'Fotos', 'Dúvida sobre o anexo'],
    bodies: [
      'Olá,\n\nsegue o arquivo em anexo.\n\nAbraços,\n{sender}',
      'Oi,\n\naqui está a versão atualizada ({file}). Me avisa se faltar algo.\n\nObrigado\n{sender}',
      'Olá,\n\ncomo combinado, as notas de {date}.\n\nAté mais,\n{sender}',
      'Em anexo.\n\n{sender}',
      'Olá,\n\ndesculpa a demora, o scan está em anexo.\n\nAtenciosamente\n{sender}',
    ],
    fileWords: ['relatorio', 'notas', 'fatura', 'ata', 'scan', 'documento', 'rascunho', 'resumo'],
  },
  ru: {
    tag: 'ru-RU',
    subjects: ['Документы на {weekday}', 'RE: файлы', 'Заметки от {date}', 'Скан, который ты просил', 'Обновлённая версия', 'FW: бумаги', 'Фото', 'Вопрос по вложению'],
    bodies: [
      'Привет,\n\nфайл во вложении.\n\nС уважением,\n{sender}',
      'Добрый день,\n\nвот обновлённая версия ({file}). Напиши, если чего-то не хватает.\n\nСпасибо\n{sender}',
      'Привет,\n\nкак обещал, заметки от {date}.\n\nПока,\n{sender}',
      'Во вложении.\n\n{sender}',
      'Добрый день,\n\nизвините за задержку, скан во вложении.\n\nВсего доброго\n{sender}',
    ],
    fileWords: ['otchet', 'zametki', 'schet', 'protokol', 'scan', 'dokument', 'chernovik', 'svodka'],
  },
} as const satisfies Record<string, LanguageTemplates>;

export type TemplateLanguage = keyof typeof LANGUAGES;
export const TEMPLATE_LANGUAGES = Object.keys(LANGUAGES) as TemplateLanguage[];
