-- Know Your Rights content. Languages (BCP 47 tags, the name in its own
-- script, direction, script, tier, and the notice shown when a
-- translation is being updated), topics with stable slugs, and texts:
-- one row per version of a topic in a language, with its renditions per
-- channel (web Markdown, SMS, phone script, card). A translation points at
-- the English master version it was made from (source_id). Statuses and
-- the rules between them: src/modules/kyr/workflow.c. Residents appear
-- only as distribution counts (topic, language, channel, day, agent).

CREATE TABLE kyr_languages (
  tag TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  english_name TEXT NOT NULL,
  dir TEXT NOT NULL,
  script TEXT NOT NULL,
  tier INTEGER NOT NULL,
  position INTEGER NOT NULL,
  notice TEXT NOT NULL
);

CREATE TABLE kyr_topics (
  id @ID@,
  slug TEXT NOT NULL UNIQUE,
  position INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE kyr_texts (
  id @ID@,
  topic_id BIGINT NOT NULL REFERENCES kyr_topics (id),
  lang TEXT NOT NULL REFERENCES kyr_languages (tag),
  version INTEGER NOT NULL,
  source_id BIGINT REFERENCES kyr_texts (id),
  status TEXT NOT NULL,
  title TEXT NOT NULL,
  web TEXT NOT NULL,
  sms TEXT NOT NULL,
  phone TEXT NOT NULL,
  card TEXT NOT NULL,
  sample INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  approved_by BIGINT REFERENCES users (id),
  approved_at BIGINT,
  published_by BIGINT REFERENCES users (id),
  published_at BIGINT,
  ended_at BIGINT,
  UNIQUE (topic_id, lang, version)
);
CREATE INDEX kyr_texts_live ON kyr_texts (status, topic_id, lang);

CREATE TABLE kyr_distributions (
  day TEXT NOT NULL,
  topic_id BIGINT NOT NULL REFERENCES kyr_topics (id),
  lang TEXT NOT NULL REFERENCES kyr_languages (tag),
  channel TEXT NOT NULL,
  agent_id BIGINT NOT NULL REFERENCES users (id),
  count BIGINT NOT NULL,
  PRIMARY KEY (day, topic_id, lang, channel, agent_id)
);

-- Tier 1 serves every channel, tier 2 web, card and SMS
-- (reference/kyr.md). The notices are sample translations awaiting review.
INSERT INTO kyr_languages (tag, name, english_name, dir, script, tier, position, notice) VALUES
('en', 'English', 'English', 'ltr', 'Latn', 1, 1, 'This page is being updated. For an interpreter, call 311.'),
('es', 'Español', 'Spanish', 'ltr', 'Latn', 1, 2, 'La traducción de esta página se está actualizando. Abajo está el texto actual en inglés. Para un intérprete, llame al 311.'),
('ko', '한국어', 'Korean', 'ltr', 'Kore', 1, 3, '이 페이지의 번역을 업데이트하고 있습니다. 아래는 현재 영어 원문입니다. 통역이 필요하시면 311로 전화하십시오.'),
('zh-Hant', '繁體中文', 'Chinese (Traditional)', 'ltr', 'Hant', 1, 4, '本頁的翻譯正在更新中。以下是目前的英文內容。如需口譯服務，請致電 311。'),
('zh-Hans', '简体中文', 'Chinese (Simplified)', 'ltr', 'Hans', 1, 5, '本页的翻译正在更新中。以下是当前的英文内容。如需口译服务，请致电 311。'),
('hy', 'Հայերեն', 'Armenian', 'ltr', 'Armn', 1, 6, 'Այս էջի թարգմանությունը թարմացվում է։ Ստորև ներկայացված է ընթացիկ անգլերեն տեքստը։ Թարգմանչի համար զանգահարեք 311։'),
('tl', 'Tagalog', 'Tagalog (Filipino)', 'ltr', 'Latn', 1, 7, 'Ina-update ang salin ng pahinang ito. Nasa ibaba ang kasalukuyang tekstong Ingles. Para sa interpreter, tumawag sa 311.'),
('fa', 'فارسی', 'Farsi (Persian)', 'rtl', 'Arab', 1, 8, 'ترجمهٔ این صفحه در حال به‌روزرسانی است. متن فعلی انگلیسی در زیر آمده است. برای مترجم شفاهی با 311 تماس بگیرید.'),
('ru', 'Русский', 'Russian', 'ltr', 'Cyrl', 1, 9, 'Перевод этой страницы обновляется. Ниже приведён действующий текст на английском языке. Чтобы получить устного переводчика, позвоните по номеру 311.'),
('vi', 'Tiếng Việt', 'Vietnamese', 'ltr', 'Latn', 1, 10, 'Bản dịch của trang này đang được cập nhật. Dưới đây là văn bản tiếng Anh hiện hành. Để có thông dịch viên, hãy gọi 311.'),
('ja', '日本語', 'Japanese', 'ltr', 'Jpan', 2, 11, 'このページの翻訳は更新中です。以下は現在の英語の本文です。通訳が必要な場合は311にお電話ください。'),
('th', 'ไทย', 'Thai', 'ltr', 'Thai', 2, 12, 'คำแปลของหน้านี้กำลังปรับปรุง ด้านล่างคือข้อความภาษาอังกฤษฉบับปัจจุบัน หากต้องการล่าม โทร 311'),
('km', 'ខ្មែរ', 'Khmer', 'ltr', 'Khmr', 2, 13, 'ការបកប្រែទំព័រនេះកំពុងធ្វើបច្ចុប្បន្នភាព។ ខាងក្រោមនេះជាអត្ថបទភាសាអង់គ្លេសបច្ចុប្បន្ន។ ដើម្បីទទួលបានអ្នកបកប្រែផ្ទាល់មាត់ សូមទូរស័ព្ទទៅលេខ 311។'),
('hi', 'हिन्दी', 'Hindi', 'ltr', 'Deva', 2, 14, 'इस पृष्ठ का अनुवाद अपडेट किया जा रहा है। नीचे वर्तमान अंग्रेज़ी पाठ है। दुभाषिए के लिए 311 पर कॉल करें।'),
('pa', 'ਪੰਜਾਬੀ', 'Punjabi', 'ltr', 'Guru', 2, 15, 'ਇਸ ਪੰਨੇ ਦਾ ਅਨੁਵਾਦ ਅੱਪਡੇਟ ਕੀਤਾ ਜਾ ਰਿਹਾ ਹੈ। ਹੇਠਾਂ ਮੌਜੂਦਾ ਅੰਗਰੇਜ਼ੀ ਲਿਖਤ ਹੈ। ਦੁਭਾਸ਼ੀਏ ਲਈ 311 ਤੇ ਕਾਲ ਕਰੋ।'),
('ur', 'اردو', 'Urdu', 'rtl', 'Arab', 2, 16, 'اس صفحے کا ترجمہ اپ ڈیٹ کیا جا رہا ہے۔ نیچے موجودہ انگریزی متن ہے۔ ترجمان کے لیے 311 پر کال کریں۔'),
('am', 'አማርኛ', 'Amharic', 'ltr', 'Ethi', 2, 17, 'የዚህ ገጽ ትርጉም እየተሻሻለ ነው። ከዚህ በታች ያለው የአሁኑ የእንግሊዝኛ ጽሑፍ ነው። አስተርጓሚ ለማግኘት 311 ይደውሉ።'),
('he', 'עברית', 'Hebrew', 'rtl', 'Hebr', 2, 18, 'התרגום של דף זה מתעדכן. להלן הנוסח הנוכחי באנגלית. לקבלת מתורגמן, התקשרו ל-311.'),
('uk', 'Українська', 'Ukrainian', 'ltr', 'Cyrl', 2, 19, 'Переклад цієї сторінки оновлюється. Нижче наведено чинний текст англійською мовою. Щоб отримати усного перекладача, зателефонуйте за номером 311.'),
('ar', 'العربية', 'Arabic', 'rtl', 'Arab', 2, 20, 'يجري تحديث ترجمة هذه الصفحة. فيما يلي النص الإنجليزي الحالي. للحصول على مترجم فوري، اتصل بالرقم 311.');
